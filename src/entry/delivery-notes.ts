import type { Redis } from "ioredis";
import { noteRepository } from "../forge/github/repository-reads.js";
import { noteSeen } from "../forge/github/run-whereabouts.js";
import type { RunMoved } from "../pipeline/intake.js";
import { createRedisRunMemo } from "../queue/redis-run-memo.js";

/** What the App server notes in the run memo in Redis from a delivery, one write each, so jobs ask less. */
export type DeliveryNotes = {
  /** A run's branch or PR that moved. */
  moved: (moved: RunMoved) => Promise<void>;
  /** The repository's default branch and clone URL, from a delivery that queues a job. */
  repository: (
    at: { installationId: number; repo: { owner: string; name: string } },
    seen: { defaultBranch: string; cloneUrl: string },
  ) => Promise<void>;
};

export const deliveryNotes = (redis: Redis, prefix: string): DeliveryNotes => {
  const memo = (installationId: number, repo: { owner: string; name: string }) =>
    createRedisRunMemo(redis, prefix, installationId, repo.owner, repo.name);
  return {
    moved: (moved) => noteSeen(memo(moved.installationId, moved.repo), moved),
    repository: async (at, seen) => {
      await noteRepository(memo(at.installationId, at.repo), seen);
    },
  };
};
