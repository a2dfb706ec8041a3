import type { Redis } from "ioredis";
import { type Ledger, RUN_LEVEL } from "../domain/budget/budget.js";
import { costOf } from "../domain/budget/cost-of.js";
import { totalTokens, type Usage } from "../domain/budget/usage.js";
import type { RepoConfig } from "../domain/config/repo-config.js";
import type { LedgerStore } from "../model/ledger-store.js";

const KINDS = ["inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens"] as const;

/**
 * A run's spending in one Redis hash (under the run's hash tag), shared by every worker that codes its nodes,
 * so the run's budget holds across processes and the dashboard can show tokens and cost per node.
 */
export function createRedisLedger(
  redis: Redis,
  prefix: string,
  runId: string,
  prices: RepoConfig["prices"],
): LedgerStore {
  const key = `${prefix}:{run-${runId}}:ledger`;
  const read = async (): Promise<Ledger> => {
    const h = await redis.hgetall(key);
    const byNode: Record<string, { tokens: number; usd: number }> = {};
    const byModel: Record<string, Usage> = {};
    for (const [field, value] of Object.entries(h)) {
      const [kind, name, what] = field.split("|");
      if (kind === "node" && name && what) {
        byNode[name] ??= { tokens: 0, usd: 0 };
        byNode[name][what as "tokens" | "usd"] = Number(value);
      } else if (kind === "model" && name && what) {
        byModel[name] ??= { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
        byModel[name][what as keyof Usage] = Number(value);
      }
    }
    return { tokens: Number(h.tokens ?? 0), usd: Number(h.usd ?? 0), byNode, byModel };
  };
  return {
    read,
    async record(model, usage, nodeId = RUN_LEVEL) {
      const tokens = totalTokens(usage);
      const usd = costOf(model, usage, prices);
      const tx = redis.multi().hincrby(key, "tokens", tokens).hincrbyfloat(key, "usd", usd);
      tx.hincrby(key, `node|${nodeId}|tokens`, tokens).hincrbyfloat(key, `node|${nodeId}|usd`, usd);
      for (const kind of KINDS) tx.hincrby(key, `model|${model}|${kind}`, usage[kind]);
      // Of the writes, the hour's: priced at their own rate when the run's spending by model is priced again.
      if (usage.cacheWrite1hTokens)
        tx.hincrby(key, `model|${model}|cacheWrite1hTokens`, usage.cacheWrite1hTokens);
      await tx.exec();
      return read();
    },
  };
}
