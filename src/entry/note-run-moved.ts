import type { Redis } from "ioredis";
import { noteSeen } from "../forge/github/run-whereabouts.js";
import type { RunMoved } from "../pipeline/intake.js";
import { createRedisRunMemo } from "../queue/redis-run-memo.js";

/** What the App server does with a run's branch or PR that moved: one note in the run's memo in Redis. */
export const noteRunMoved = (redis: Redis, prefix: string) => (moved: RunMoved) =>
  noteSeen(createRedisRunMemo(redis, prefix, moved.installationId, moved.repo.owner, moved.repo.name), moved);
