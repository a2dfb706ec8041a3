import type { RepoConfig } from "../../domain/config/repo-config.js";
import type { ReadableFiles } from "../code/view-path.js";
import type { ShellSession } from "../shell.js";

/** The repository at the planned ref, as the planner explores it: files to view, a read-only shell, a map. */
export type PlannerCheckout = {
  files: ReadableFiles;
  /**
   * A shell in the sandbox with the checkout mounted read-only and no network; null where the sandbox
   * cannot mount it read-only (`sandbox.mode: none`).
   */
  openShell: (sandbox: RepoConfig["sandbox"]) => ShellSession | null;
  /** The code map of the checkout: the definitions most related to a query, within a token budget. */
  codeContext?: (query: { text: string; files: readonly string[] }) => Promise<string>;
};

/** Lends the planner a checkout of `ref` for as long as `work` runs, then takes it away. */
export type CheckoutFor = <T>(ref: string, work: (checkout: PlannerCheckout) => Promise<T>) => Promise<T>;
