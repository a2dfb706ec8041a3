import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSuite } from "../../src/entry/eval/load-suite.js";

const folder = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), "swarm-suite-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
};

describe("an eval suite", () => {
  it("reads a task folder: its repository, spec, hidden files and commands", async () => {
    const dir = folder({
      "t1/task.yml": "repo: repo\nhidden: hidden\ntest: npm test\n",
      "t1/spec.md": "# Do it\n",
      "t1/repo/a.js": "",
      "t1/hidden/test/a.test.js": "test",
    });
    const [task] = await loadSuite(dir);
    expect(task).toEqual({
      id: "t1",
      repo: { path: join(dir, "t1/repo") },
      spec: "# Do it\n",
      hidden: { files: { "test/a.test.js": "test" } },
      test: "npm test",
    });
  });

  it("names the file and the problem of a bad task, and what a task needs", async () => {
    const dir = folder({ "t1/task.yml": "repo: repo\nhidden: hidden\n", "t1/spec.md": "# x\n" });
    await expect(loadSuite(dir)).rejects.toThrow(
      /t1\/task\.yml has problems: test: .*A task\.yml needs repo/s,
    );
    const noSpec = folder({ "t1/task.yml": "repo: repo\nhidden: hidden\ntest: x\n" });
    await expect(loadSuite(noSpec)).rejects.toThrow(/has no spec\.md/);
    await expect(loadSuite(join(dir, "nowhere"))).rejects.toThrow(/does not exist\. Pass --suite a folder/);
  });

  it("reads SWE-bench lines: the test ids given to pytest, shell-quoted, and says which line is wrong", async () => {
    const line = {
      instance_id: "psf__requests-1",
      repo: "psf/requests",
      base_commit: "0123456789abcdef0123456789abcdef01234567",
      problem_statement: "It breaks.",
      test_patch: "diff --git a/t.py b/t.py\n",
      FAIL_TO_PASS: '["tests/test_a.py::test_one[a b]"]',
      PASS_TO_PASS: [],
      version: "2.0",
    };
    const dir = folder({ "s.jsonl": `${JSON.stringify(line)}\n\n` });
    const [task] = await loadSuite(join(dir, "s.jsonl"));
    expect(task).toMatchObject({
      id: "psf__requests-1",
      repo: { url: "https://github.com/psf/requests.git", commit: line.base_commit },
      spec: "# psf__requests-1\n\nIt breaks.",
      hidden: { patch: line.test_patch },
      test: "python -m pytest -q 'tests/test_a.py::test_one[a b]'",
    });
    expect(task).not.toHaveProperty("keep");
    const bad = folder({ "s.jsonl": `${JSON.stringify(line)}\n{"instance_id": "x"}\n` });
    await expect(loadSuite(join(bad, "s.jsonl"))).rejects.toThrow(
      /s\.jsonl:2 is not a SWE-bench instance: repo: /,
    );
    const twice = folder({ "s.jsonl": `${JSON.stringify(line)}\n${JSON.stringify(line)}\n` });
    await expect(loadSuite(join(twice, "s.jsonl"))).rejects.toThrow(/two tasks named psf__requests-1/);
  });
});
