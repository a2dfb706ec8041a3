// npm run bench:retrieval — how often retrieval puts the files a change touched into an agent's context.
// A labelled set from real history (this repository's own commits): the commit message is the query; the
// files it modified (that existed before it) are the answer. The index is at the commit's parent, updated
// incrementally from one commit to the next. Recall within 2k, 4k and 8k tokens, for the graph ranking and
// for a lexical-search baseline, side by side. Ends with a JSON line of figures.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countTokens } from "@anthropic-ai/tokenizer";
import { buildIndex } from "../src/context/code-index.js";
import { isIndexable } from "../src/context/parse-source.js";
import { retrieve } from "../src/context/retrieve.js";

const BUDGETS = [2000, 4000, 8000];
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 }).trim();

const work = mkdtempSync(join(tmpdir(), "swarm-bench-retrieval-"));
git(work, "clone", "-q", process.cwd(), "repo");
const repo = join(work, "repo");
type Case = { commit: string; parent: string; query: string; answer: string[] };
const cases: Case[] = [];
for (const line of git(repo, "log", "--reverse", "--no-merges", "--format=%H %P").split("\n")) {
  const [commit, parent] = line.split(" ");
  if (!commit || !parent) continue;
  const modified = git(repo, "diff", "--name-only", "--diff-filter=M", parent, commit)
    .split("\n")
    .filter((p) => p && isIndexable(p));
  // Very wide changes (renames across the tree, formatting) say nothing a query could find.
  if (modified.length === 0 || modified.length > 10) continue;
  const query = git(repo, "log", "-1", "--format=%B", commit);
  cases.push({ commit, parent, query, answer: modified });
}

let checkedOut = cases[0]?.parent ?? "HEAD";
git(repo, "checkout", "-q", checkedOut);
const index = await buildIndex(repo);
const recall: Record<string, number[]> = {};
let chars = 0;
let counted = 0;
let estimated = 0;
for (const c of cases) {
  if (c.parent !== checkedOut) {
    const changed = git(repo, "diff", "--name-only", checkedOut, c.parent).split("\n").filter(Boolean);
    git(repo, "checkout", "-q", c.parent);
    await index.update(changed);
    checkedOut = c.parent;
  }
  for (const mode of ["graph", "lexical"] as const)
    for (const budget of BUDGETS) {
      const context = await retrieve(index, { text: c.query }, budget, mode);
      // Calibration of the estimate: the legacy Claude tokenizer is the only counter that works offline.
      if (budget === 8000 && mode === "graph") {
        chars += context.text.length;
        counted += countTokens(context.text);
        estimated += context.tokens;
      }
      const got = new Set(context.files);
      const hit = c.answer.filter((p) => got.has(p)).length / c.answer.length;
      const key = `${mode}_${budget}`;
      recall[key] = [...(recall[key] ?? []), hit];
    }
}
rmSync(work, { recursive: true, force: true });

const mean = (xs: number[] = []) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
console.log(
  `${cases.length} commits of this repository (queries: their messages; answers: the source files they modified)`,
);
console.log("mean recall of the touched files   2k tokens   4k tokens   8k tokens");
for (const mode of ["graph", "lexical"] as const)
  console.log(
    `${(mode === "graph" ? "graph + lexical (swarm)" : "lexical search (baseline)").padEnd(34)}${BUDGETS.map((b) => mean(recall[`${mode}_${b}`]).toFixed(3).padStart(12)).join("")}`,
  );
console.log(
  `token estimate: ${(chars / counted).toFixed(2)} characters per token by the legacy Claude tokenizer over the 8k contexts; the estimate says ${estimated.toLocaleString("en-US")} tokens where it counts ${counted.toLocaleString("en-US")} (${((estimated / counted - 1) * 100).toFixed(1)}%)`,
);
const figures: Record<string, number | string> = { bench: "retrieval", cases: cases.length };
figures.chars_per_token_legacy_tokenizer = Number((chars / counted).toFixed(2));
figures.estimate_vs_counted = Number((estimated / counted).toFixed(3));
for (const [k, v] of Object.entries(recall)) figures[`recall_${k}`] = Number(mean(v).toFixed(3));
console.log(JSON.stringify(figures));
