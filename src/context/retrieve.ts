import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CodeIndex } from "./code-index.js";
import { type ContextQuery, type RetrievedContext, rankFiles, renderContext } from "./retrieve-context.js";

/** The context an agent gets for `query` within `budget` tokens, read from the index's working copy. */
export function retrieve(
  index: CodeIndex,
  query: ContextQuery,
  budget: number,
  mode: "graph" | "lexical" = "graph",
): Promise<RetrievedContext> {
  return renderContext(index, rankFiles(index, query, mode), budget, query, (path) =>
    readFile(join(index.root, path), "utf8").catch(() => null),
  );
}
