import { buildIndex, type ParseCache } from "../context/code-index.js";
import { retrieve } from "../context/retrieve.js";

/** Token budgets of the code context: the planner's map, and each coder's context. */
export const PLANNER_CONTEXT_TOKENS = 6000;
export const CODER_CONTEXT_TOKENS = 6000;

// One cache of parsed files per process, keyed by content: each node's copy, and the copy after a node's
// commit, parse only the files whose content this worker has not seen.
const parsed: ParseCache = new Map();

/** The context for `query` in a working copy that exists (a node's). */
export async function contextOfCopy(
  dir: string,
  query: { text: string; files: readonly string[] },
  budget = CODER_CONTEXT_TOKENS,
): Promise<string> {
  const index = await buildIndex(dir, { cache: parsed });
  return (await retrieve(index, query, budget)).text;
}
