import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { syntaxErrors } from "../../src/context/syntax-errors.js";
import type { ToolOutcome } from "../../src/model/run-agent.js";
import { editorTool } from "../../src/pipeline/code/editor-tool.js";
import { openWorkingCopy } from "../../src/workspace/local-working-copy.js";

// The text editor tool as Claude is trained to call it (text_editor_20250728), over a real working copy.
async function editor(maxCharacters = 10_000) {
  const dir = mkdtempSync(join(tmpdir(), "swarm-editor-"));
  mkdirSync(join(dir, "src/deep/deeper"), { recursive: true });
  mkdirSync(join(dir, ".hidden"));
  writeFileSync(
    join(dir, "src/a.ts"),
    "const one = 1;\nconst two = 2;\nconst again = 1;\nexport { one, two };\n",
  );
  writeFileSync(join(dir, "src/deep/deeper/c.ts"), "x\n");
  writeFileSync(join(dir, ".hidden/secret.txt"), "no\n");
  writeFileSync(join(dir, "README.md"), "# r\n");
  execFileSync("git", ["init", "-q"], { cwd: dir });
  const tool = editorTool({
    copy: await openWorkingCopy(dir),
    node: { id: "n", owns: ["src/**"] },
    protectedPaths: ["src/generated/**"],
    maxCharacters,
    syntaxCheck: syntaxErrors,
  });
  const run = async (input: Record<string, unknown>): Promise<ToolOutcome> => {
    const parsed = tool.input.safeParse(input);
    if (!parsed.success) throw new Error(parsed.error.message);
    const out = await tool.run(parsed.data as never);
    return typeof out === "string" ? { content: out } : out;
  };
  return { dir, tool, run };
}

describe("the text editor tool", () => {
  it("is sent as Anthropic's definition, with max_characters", async () => {
    const { tool } = await editor(12_345);
    expect(tool.builtin).toEqual({
      type: "text_editor_20250728",
      name: "str_replace_based_edit_tool",
      max_characters: 12_345,
    });
  });

  it("views a file with line numbers, a range (-1 to the end), and says when a range does not fit", async () => {
    const { run } = await editor();
    const all = await run({ command: "view", path: "src/a.ts" });
    expect(all.content).toContain(
      '<file path="src/a.ts" lines="1-4 of 4">\n     1\tconst one = 1;\n     2\tconst two = 2;',
    );
    const tail = await run({ command: "view", path: "src/a.ts", view_range: [3, -1] });
    expect(tail.content).toContain("     3\tconst again = 1;\n     4\texport { one, two };\n</file>");
    const bad = await run({ command: "view", path: "src/a.ts", view_range: [3, 9] });
    expect(bad).toMatchObject({ isError: true });
    expect(bad.content).toContain("view_range [3, 9] does not fit src/a.ts, which has 4 lines");
    expect(await run({ command: "view", path: "/workspace/src/a.ts" })).toMatchObject({
      content: expect.stringContaining("const two = 2;"),
    });
    expect((await run({ command: "view", path: "/etc/passwd" })).content).toContain(
      "is outside the repository",
    );
    expect((await run({ command: "view", path: "src/nope.ts" })).content).toBe(
      "Error: File not found: src/nope.ts",
    );
  });

  it("cuts a view at max_characters and says how to see the rest", async () => {
    const { run, dir } = await editor(200);
    writeFileSync(
      join(dir, "src/long.ts"),
      Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join("\n"),
    );
    const view = await run({ command: "view", path: "src/long.ts" });
    expect(view.content).toMatch(
      /\[Cut at 200 characters, after line (\d+) of 100: view the rest with view_range \[\d+, -1\]/,
    );
  });

  it("lists a folder two levels deep, without hidden files", async () => {
    const { run } = await editor();
    const root = await run({ command: "view", path: "." });
    expect(root.content).toContain("README.md\nsrc/\nsrc/a.ts\nsrc/deep/");
    expect(root.content).not.toContain("deeper/c.ts");
    expect(root.content).not.toContain(".hidden");
  });

  it("replaces text that occurs exactly once, and says where when it occurs more or not at all", async () => {
    const { run, dir } = await editor();
    const twice = await run({ command: "str_replace", path: "src/a.ts", old_str: "= 1;", new_str: "= 10;" });
    expect(twice).toMatchObject({
      isError: true,
      content:
        "Error: Found 2 matches for replacement text in src/a.ts (lines 1, 3). Please provide more context to make a unique match.",
    });
    const none = await run({
      command: "str_replace",
      path: "src/a.ts",
      old_str: "const three",
      new_str: "x",
    });
    expect(none.content).toContain("Error: No match found for replacement in src/a.ts");
    const once = await run({
      command: "str_replace",
      path: "src/a.ts",
      old_str: "const two = 2;",
      new_str: "const two = 22;",
    });
    expect(once.content).toContain("Successfully replaced text at exactly one location.");
    expect(once.content).toContain("     2\tconst two = 22;");
    expect(readFileSync(join(dir, "src/a.ts"), "utf8")).toContain("const two = 22;\n");
  });

  it("inserts after a line with insert_text (and new_str, which older docs named)", async () => {
    const { run, dir } = await editor();
    expect(
      (await run({ command: "insert", path: "src/a.ts", insert_line: 0, insert_text: "// head\n" })).content,
    ).toContain("Inserted 1 line after line 0 of src/a.ts.");
    await run({ command: "insert", path: "src/a.ts", insert_line: 5, new_str: "// tail" });
    expect(readFileSync(join(dir, "src/a.ts"), "utf8")).toBe(
      "// head\nconst one = 1;\nconst two = 2;\nconst again = 1;\nexport { one, two };\n// tail\n",
    );
    const past = await run({ command: "insert", path: "src/a.ts", insert_line: 99, insert_text: "x" });
    expect(past.content).toContain("insert_line 99 is past the end of src/a.ts, which has 6 lines");
  });

  it("creates and overwrites only the node's files, never protected ones, and says why", async () => {
    const { run, dir } = await editor();
    expect(
      (await run({ command: "create", path: "src/b.ts", file_text: "export const b = 1;\n" })).content,
    ).toContain("Created src/b.ts (2 lines).");
    expect(
      (await run({ command: "create", path: "src/b.ts", file_text: "export const b = 2;\n" })).content,
    ).toContain("Overwrote src/b.ts (2 lines; it had 2).");
    const outside = await run({ command: "create", path: "README.md", file_text: "x" });
    expect(outside).toMatchObject({ isError: true });
    expect(outside.content).toContain(
      'Error: refused: Node "n" may change only the files it owns (`src/**`)',
    );
    const guarded = await run({ command: "create", path: "src/generated/x.ts", file_text: "x" });
    expect(guarded.content).toContain("is protected by the repository's configuration");
    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("# r\n");
  });

  it("refuses a write through a symlink in the node's files that lands outside them", async () => {
    const { run, dir } = await editor();
    mkdirSync(join(dir, "test"));
    symlinkSync("../test", join(dir, "src/lnk"));
    const through = await run({ command: "create", path: "src/lnk/t.ts", file_text: "export {};\n" });
    expect(through).toMatchObject({ isError: true });
    expect(through.content).toContain("`test/t.ts` is not one of them");
    expect(existsSync(join(dir, "test/t.ts"))).toBe(false);
  });

  it("keeps an edit that breaks the syntax, and shows the error and its line", async () => {
    const { run, dir } = await editor();
    const broken = await run({
      command: "str_replace",
      path: "src/a.ts",
      old_str: "const two = 2;",
      new_str: "const two = (2;",
    });
    expect(broken.content).toContain("Syntax check: src/a.ts does not parse now: line 2: missing `)`");
    expect(broken.content).toContain("The edit was kept; fix it with another edit.");
    expect(readFileSync(join(dir, "src/a.ts"), "utf8")).toContain("const two = (2;");
    const fine = await run({
      command: "create",
      path: "src/notes.md",
      file_text: "# (no grammar for Markdown)\n",
    });
    expect(fine.content).not.toContain("Syntax check");
  });
});
