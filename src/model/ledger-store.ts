import { EMPTY_LEDGER, type Ledger, recordUsage } from "../domain/budget/budget.js";
import type { Usage } from "../domain/budget/usage.js";
import type { RepoConfig } from "../domain/config/repo-config.js";

/** Where a run's spending is kept. In one process it is memory; workers share one in Redis (issue 7). */
export type LedgerStore = {
  read(): Promise<Ledger>;
  record(model: string, usage: Usage, nodeId?: string): Promise<Ledger>;
};

export function createMemoryLedger(prices: RepoConfig["prices"]): LedgerStore {
  let ledger = EMPTY_LEDGER;
  return {
    read: async () => ledger,
    record: async (model, usage, nodeId) => {
      ledger = recordUsage(ledger, model, usage, prices, nodeId);
      return ledger;
    },
  };
}
