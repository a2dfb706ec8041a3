import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildIndex, type ParseCache } from "../../src/context/code-index.js";
import { buildFileGraph, personalisedPageRank, resolveImport } from "../../src/context/file-graph.js";
import { parseSource } from "../../src/context/parse-source.js";
import { retrieve } from "../../src/context/retrieve.js";
import { estimateTokens, rankFiles, terms } from "../../src/context/retrieve-context.js";

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "swarm-context-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const SHOP = {
  "src/cart/total.ts":
    'import { priceOf } from "../catalog/prices.js";\n\nexport function cartTotal(items: string[]): number {\n  return items.reduce((sum, id) => sum + priceOf(id), 0);\n}\n',
  "src/catalog/prices.ts":
    "const PRICES: Record<string, number> = { apple: 1 };\n\nexport function priceOf(id: string): number {\n  return PRICES[id] ?? 0;\n}\n",
  "src/ui/banner.tsx": "export function Banner() {\n  return <h1>Shop</h1>;\n}\n",
  "scripts/report.py":
    "from .helpers import fmt\n\nclass Report:\n    def render(self):\n        return fmt(1)\n",
  "scripts/helpers.py": "def fmt(x):\n    return str(x)\n",
  "README.md": "# shop\n",
};

describe("parseSource", () => {
  it("finds definitions with signatures, and imports, in TypeScript, TSX and Python", async () => {
    const ts = await parseSource("a.ts", SHOP["src/cart/total.ts"]);
    expect(ts?.definitions).toEqual([
      {
        name: "cartTotal",
        kind: "function",
        line: 3,
        endLine: 5,
        signature: "export function cartTotal(items: string[]): number {",
      },
    ]);
    expect(ts?.imports).toEqual(["../catalog/prices.js"]);
    expect(ts?.identifiers).toContain("priceOf");
    expect((await parseSource("b.tsx", SHOP["src/ui/banner.tsx"]))?.definitions.map((d) => d.name)).toEqual([
      "Banner",
    ]);
    const py = await parseSource("r.py", SHOP["scripts/report.py"]);
    expect(py?.definitions.map((d) => `${d.kind} ${d.name}`)).toEqual(["class Report", "function render"]);
    expect(py?.imports).toEqual([".helpers"]);
    expect(await parseSource("README.md", "# hi")).toBeNull();
  });
});

describe("the index and its graph", () => {
  it("links files by imports (NodeNext .js to .ts, Python relative) and by names they use", async () => {
    const index = await buildIndex(repo(SHOP));
    expect([...index.files.keys()]).toEqual([
      "scripts/helpers.py",
      "scripts/report.py",
      "src/cart/total.ts",
      "src/catalog/prices.ts",
      "src/ui/banner.tsx",
    ]);
    const has = (p: string) => index.files.has(p);
    expect(resolveImport("src/cart/total.ts", "../catalog/prices.js", has)).toBe("src/catalog/prices.ts");
    expect(resolveImport("scripts/report.py", ".helpers", has)).toBe("scripts/helpers.py");
    expect(resolveImport("src/cart/total.ts", "zod", has)).toBeNull();
    const graph = buildFileGraph(index);
    expect(graph.out.get("src/cart/total.ts")?.get("src/catalog/prices.ts")).toBe(3); // import 2 + use 1
    // Seeded at the cart, PageRank flows to what the cart uses, not to the unrelated banner.
    const rank = personalisedPageRank(graph, new Map([["src/cart/total.ts", 1]]));
    expect(rank.get("src/catalog/prices.ts") ?? 0).toBeGreaterThan(rank.get("src/ui/banner.tsx") ?? 0);
  });

  it("parses again only the files whose content changed", async () => {
    const root = repo(SHOP);
    const cache: ParseCache = new Map();
    const index = await buildIndex(root, { cache });
    expect(cache.size).toBe(5);
    writeFileSync(
      join(root, "src/ui/banner.tsx"),
      "export function Banner() {\n  return <h2>Shop</h2>;\n}\n",
    );
    writeFileSync(join(root, "src/ui/footer.tsx"), "export const Footer = () => null;\n");
    expect(await index.update(["src/ui/banner.tsx", "src/ui/footer.tsx", "src/cart/total.ts"])).toEqual({
      parsed: 2,
    });
    expect(index.files.get("src/ui/footer.tsx")?.parsed.definitions.map((d) => d.name)).toEqual(["Footer"]);
    // A second index of the same tree (another node's copy) parses nothing: the cache has every content.
    const other = await buildIndex(root, { cache });
    expect(other.files.size).toBe(6);
    expect(cache.size).toBe(7);
  });
});

describe("retrieval", () => {
  it("ranks the owned file first, then what it uses, and renders within the budget, the same every time", async () => {
    const index = await buildIndex(repo(SHOP));
    const query = { text: "Apply a discount to the cart total", files: ["src/cart/**"] };
    const ranked = rankFiles(index, query).map((r) => r.path);
    expect(ranked.slice(0, 2)).toEqual(["src/cart/total.ts", "src/catalog/prices.ts"]);
    const context = await retrieve(index, query, 400);
    expect(
      context.text.startsWith(
        "## src/cart/total.ts\n  3: export function cartTotal(items: string[]): number {\n```",
      ),
    ).toBe(true);
    expect(context.tokens).toBeLessThanOrEqual(400);
    expect(estimateTokens(context.text)).toBeLessThanOrEqual(400 + context.files.length);
    expect(await retrieve(index, query, 400)).toEqual(context);
    const tiny = await retrieve(index, query, 30);
    expect(tiny.files).toEqual(["src/cart/total.ts"]);
  });

  it("splits identifiers into words and drops filler", () => {
    expect(terms("parseRepoConfig and parse_repo_config: fix the README")).toEqual([
      "parse",
      "repo",
      "config",
      "parse",
      "repo",
      "config",
      "readme",
    ]);
  });
});
