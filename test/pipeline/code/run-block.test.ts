import { describe, expect, it } from "vitest";
import { repositoryMap, runBlockOf } from "../../../src/pipeline/code/run-block.js";
import { node } from "../../support/plans.js";

describe("the repository map", () => {
  it("lists the top folder first, then a line per folder, without dependency and build folders", () => {
    const map = repositoryMap([
      "src/b.ts",
      "README.md",
      "src/a.ts",
      ".github/swarm.yml",
      "node_modules/x/index.js",
      "dist/cli.js",
      "src/deep/c.ts",
    ]);
    expect(map).toBe(
      [
        "The repository's files at the run's start (5, a line per folder):",
        "./: README.md",
        ".github/: swarm.yml",
        "src/: a.ts, b.ts",
        "src/deep/: c.ts",
      ].join("\n"),
    );
  });

  it("shows at most 60 names of a folder, and the smaller folders after one too large to fit", () => {
    const big = Array.from({ length: 5000 }, (_, i) => `.cache-like/blob-${i}.bin`);
    const map = repositoryMap([...big, "src/main.ts", "README.md"]);
    expect(map).toContain(".cache-like/: blob-0.bin, blob-1.bin");
    expect(map).toContain(" and 4940 more");
    expect(map).toContain("src/: main.ts");
    expect(map).not.toContain("blob-999.bin");
  });

  it("stops at its budget and says how many folders it left out", () => {
    const paths = Array.from(
      { length: 3000 },
      (_, i) => `pkg-${String(i).padStart(4, "0")}/index-with-a-long-name.ts`,
    );
    const map = repositoryMap(paths);
    expect(map.length).toBeLessThan(21_000);
    const shown = map.split("\n").filter((l) => l.startsWith("pkg-")).length;
    expect(map).toContain(`… ${3000 - shown} more folders (list them with bash)`);
  });
});

describe("the run block", () => {
  it("is the same to the byte for the same run, whatever order the files were listed in", () => {
    const input = (paths: string[]) => ({
      spec: { title: "Add it", body: "Add it." },
      plan: { summary: "two", nodes: [node("a"), node("b", ["a"])] },
      config: { validation: { commands: ["npm test"], install: "npm ci" } } as never,
      files: { instructions: [{ path: "AGENTS.md", text: "Use tabs." }], map: repositoryMap(paths) },
    });
    const one = runBlockOf(input(["src/a.ts", "README.md"]));
    expect(runBlockOf(input(["README.md", "src/a.ts"]))).toEqual(one);
    expect(one.join("\n")).toContain('<file path="AGENTS.md"');
    expect(one.join("\n")).toContain("./: README.md\nsrc/: a.ts");
    expect(one.at(-1)).toContain("- `npm test`");
  });
});
