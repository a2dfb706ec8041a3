import { dirname, join, normalize } from "node:path/posix";
import type { CodeIndex } from "./code-index.js";

/** Weighted edges between files: A → B when A imports B or uses a name B defines. */
export type FileGraph = { out: Map<string, Map<string, number>> };

const RESOLVE_EXTENSIONS = [
  "",
  ".ts",
  ".tsx",
  ".js",
  ".jsx",
  ".mjs",
  ".cjs",
  ".py",
  "/index.ts",
  "/index.js",
  "/__init__.py",
];

/** The indexed file a relative import points at (`./b.js` may be `./b.ts` under NodeNext), or null. */
export function resolveImport(
  from: string,
  specifier: string,
  has: (path: string) => boolean,
): string | null {
  let target: string;
  if (specifier.startsWith("./") || specifier.startsWith("../")) target = join(dirname(from), specifier);
  else if (/^\.+\w/.test(specifier) && from.endsWith(".py")) {
    // Python: `.mod` is a sibling, `..mod` one level up; dots inside are folders.
    const dots = /^\.+/.exec(specifier)?.[0].length ?? 1;
    let dir = dirname(from);
    for (let i = 1; i < dots; i++) dir = dirname(dir);
    target = join(dir, specifier.slice(dots).replace(/\./g, "/"));
  } else return null;
  target = normalize(target);
  const stem = target.replace(/\.(m|c)?js$/, "");
  for (const candidate of [target, stem])
    for (const ext of RESOLVE_EXTENSIONS) if (has(candidate + ext)) return candidate + ext;
  return null;
}

export function buildFileGraph(index: CodeIndex): FileGraph {
  const definedIn = new Map<string, string[]>();
  for (const file of index.files.values())
    for (const d of file.parsed.definitions) {
      const list = definedIn.get(d.name) ?? [];
      if (list.at(-1) !== file.path) list.push(file.path);
      definedIn.set(d.name, list);
    }
  const has = (p: string) => index.files.has(p);
  const out = new Map<string, Map<string, number>>();
  for (const file of index.files.values()) {
    const edges = new Map<string, number>();
    const add = (to: string, w: number) => {
      if (to !== file.path) edges.set(to, (edges.get(to) ?? 0) + w);
    };
    for (const spec of file.parsed.imports) {
      const to = resolveImport(file.path, spec, has);
      if (to) add(to, 2);
    }
    // A name defined in many files says little about which one is meant.
    for (const name of file.parsed.identifiers) {
      const where = definedIn.get(name);
      if (where && where.length <= 20) for (const to of where) add(to, 1 / where.length);
    }
    out.set(file.path, edges);
  }
  return { out };
}

/**
 * PageRank personalised to `seeds` (teleports land there, in proportion to their weight), by power
 * iteration; without seeds it is the plain PageRank. Dangling files teleport too.
 */
export function personalisedPageRank(
  graph: FileGraph,
  seeds: ReadonlyMap<string, number>,
  options: { damping?: number; iterations?: number } = {},
): Map<string, number> {
  const nodes = [...graph.out.keys()];
  const n = nodes.length;
  if (n === 0) return new Map();
  const damping = options.damping ?? 0.85;
  const seedTotal = [...seeds.values()].reduce((a, b) => a + b, 0);
  const teleport = new Map<string, number>(
    seedTotal > 0
      ? [...seeds].filter(([k]) => graph.out.has(k)).map(([k, v]) => [k, v / seedTotal])
      : nodes.map((k) => [k, 1 / n]),
  );
  if (teleport.size === 0) for (const k of nodes) teleport.set(k, 1 / n);
  const totals = new Map(
    nodes.map((k) => [k, [...(graph.out.get(k)?.values() ?? [])].reduce((a, b) => a + b, 0)]),
  );
  let rank = new Map(nodes.map((k) => [k, 1 / n]));
  for (let it = 0; it < (options.iterations ?? 30); it++) {
    const next = new Map(nodes.map((k) => [k, 0]));
    let dangling = 0;
    for (const k of nodes) {
      const r = rank.get(k) ?? 0;
      const total = totals.get(k) ?? 0;
      if (total === 0) {
        dangling += r;
        continue;
      }
      for (const [to, w] of graph.out.get(k) ?? [])
        next.set(to, (next.get(to) ?? 0) + (damping * r * w) / total);
    }
    for (const [k, t] of teleport) next.set(k, (next.get(k) ?? 0) + (1 - damping + damping * dangling) * t);
    rank = next;
  }
  return rank;
}
