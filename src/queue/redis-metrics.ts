import type { Redis } from "ioredis";
import type { Usage } from "../domain/budget/usage.js";

// What the workers did, summed in one Redis hash, so `swarm server`'s /metrics shows every worker's jobs,
// tokens, cost and GitHub rate limit in one scrape, however many workers there are and wherever they run.

const JOB_BUCKETS = [1, 5, 15, 60, 300, 900, 3600];
type Kind = "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWriteTokens";
const KINDS: readonly Kind[] = ["inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens"];
const KIND_LABEL: Record<Kind, string> = {
  inputTokens: "input",
  outputTokens: "output",
  cacheReadTokens: "cache_read",
  cacheWriteTokens: "cache_write",
};

export type WorkerMetrics = {
  job(queue: string, seconds: number, outcome: "ok" | "error"): Promise<void>;
  modelCall(role: string, model: string, usage: Usage, usd: number): Promise<void>;
  rateLimit(installationId: number, remaining: number, limit: number): Promise<void>;
};

export function createRedisMetrics(
  redis: Redis,
  prefix: string,
): WorkerMetrics & {
  read(): Promise<Record<string, string>>;
} {
  const key = `${prefix}:metrics`;
  return {
    async job(queue, seconds, outcome) {
      const m = redis.multi();
      m.hincrbyfloat(key, `job_sum|${queue}`, seconds);
      m.hincrby(key, `job_count|${queue}|${outcome}`, 1);
      // Stored cumulative, as Prometheus reads histogram buckets.
      for (const le of JOB_BUCKETS) if (seconds <= le) m.hincrby(key, `job_bucket|${queue}|${le}`, 1);
      await m.exec();
    },
    async modelCall(role, model, usage, usd) {
      const m = redis.multi();
      for (const kind of KINDS)
        if (usage[kind] > 0) m.hincrby(key, `tokens|${role}|${model}|${KIND_LABEL[kind]}`, usage[kind]);
      if (usd > 0) m.hincrbyfloat(key, `usd|${role}|${model}`, usd);
      await m.exec();
    },
    async rateLimit(installationId, remaining, limit) {
      await redis.hset(
        key,
        `ratelimit_remaining|${installationId}`,
        remaining,
        `ratelimit_limit|${installationId}`,
        limit,
      );
    },
    read: () => redis.hgetall(key),
  };
}

const label = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (pairs: Record<string, string>) =>
  `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${label(v)}"`)
    .join(",")}}`;

/** The hash as Prometheus text: job durations, jobs, tokens, cost, cache-read ratio, rate limit left. */
export function renderWorkerMetrics(hash: Readonly<Record<string, string>>): string {
  const rows = Object.entries(hash).map(([field, value]) => ({
    parts: field.split("|"),
    value: Number(value),
  }));
  const of = (kind: string) => rows.filter((r) => r.parts[0] === kind);
  const out: string[] = [];
  const family = (name: string, type: string, help: string, lines: string[]) => {
    if (lines.length === 0) return;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };

  const queues = [...new Set(of("job_count").map((r) => r.parts[1] ?? ""))].sort();
  const countOf = (queue: string) =>
    of("job_count")
      .filter((r) => r.parts[1] === queue)
      .reduce((n, r) => n + r.value, 0);
  family(
    "swarm_job_seconds",
    "histogram",
    "How long the workers' jobs took, by queue",
    queues.flatMap((queue) => [
      ...JOB_BUCKETS.map(
        (le) =>
          `swarm_job_seconds_bucket${labels({ queue, le: String(le) })} ${hash[`job_bucket|${queue}|${le}`] ?? 0}`,
      ),
      `swarm_job_seconds_bucket${labels({ queue, le: "+Inf" })} ${countOf(queue)}`,
      `swarm_job_seconds_sum${labels({ queue })} ${Number(hash[`job_sum|${queue}`] ?? 0)}`,
      `swarm_job_seconds_count${labels({ queue })} ${countOf(queue)}`,
    ]),
  );
  family(
    "swarm_jobs_total",
    "counter",
    "Jobs the workers finished, by queue and outcome (error: thrown, to be retried)",
    of("job_count").map(
      (r) => `swarm_jobs_total${labels({ queue: r.parts[1] ?? "", outcome: r.parts[2] ?? "" })} ${r.value}`,
    ),
  );
  family(
    "swarm_model_tokens_total",
    "counter",
    "Model tokens, by agent role, model and kind (input, output, cache_read, cache_write)",
    of("tokens").map(
      (r) =>
        `swarm_model_tokens_total${labels({ role: r.parts[1] ?? "", model: r.parts[2] ?? "", kind: r.parts[3] ?? "" })} ${r.value}`,
    ),
  );
  family(
    "swarm_model_cost_usd_total",
    "counter",
    "Model cost in USD at the configured prices, by agent role and model",
    of("usd").map(
      (r) =>
        `swarm_model_cost_usd_total${labels({ role: r.parts[1] ?? "", model: r.parts[2] ?? "" })} ${r.value}`,
    ),
  );
  const byModel = new Map<string, { read: number; all: number }>();
  for (const r of of("tokens")) {
    const kind = r.parts[3];
    if (kind === "output") continue;
    const m = byModel.get(r.parts[2] ?? "") ?? { read: 0, all: 0 };
    m.all += r.value;
    if (kind === "cache_read") m.read += r.value;
    byModel.set(r.parts[2] ?? "", m);
  }
  family(
    "swarm_model_cache_read_ratio",
    "gauge",
    "Share of prompt tokens read from the prompt cache, by model",
    [...byModel].map(
      ([model, m]) => `swarm_model_cache_read_ratio${labels({ model })} ${m.all > 0 ? m.read / m.all : 0}`,
    ),
  );
  family(
    "swarm_github_rate_limit_remaining",
    "gauge",
    "GitHub API requests left in the current hour, as last seen by a worker, by installation",
    of("ratelimit_remaining").map(
      (r) => `swarm_github_rate_limit_remaining${labels({ installation: r.parts[1] ?? "" })} ${r.value}`,
    ),
  );
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}
