import { type Document, isMap, isNode, LineCounter, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { closestWord } from "./closest-word.js";
import { configSizeProblem, MAX_CONFIG_BYTES } from "./config-size-problem.js";
import { type RepoConfig, RepoConfigSchema } from "./repo-config.js";

/** One thing wrong in a config file: where (key path, and line and column when known), what, and the fix. */
export type ConfigProblem = {
  path: string;
  line?: number;
  column?: number;
  message: string;
  fix: string;
};

export type ConfigResult = { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

type Key = string | number;

/** The most alias expansions (`*name`) a config may make: an alias bomb grows a small file exponentially. */
export const MAX_CONFIG_ALIASES = 100;

/**
 * Parses `.github/swarm.yml`, as text or as the file's bytes. Empty is valid and gives the defaults. A file
 * that is too large, binary, not UTF-8 or an alias bomb is a problem like any other, never a throw.
 */
export function parseRepoConfig(source: string | Uint8Array): ConfigResult {
  const decoded = decodeConfig(source);
  if (!decoded.ok) return decoded;
  const text = decoded.text;
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    return unreadable(error);
  }
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.some((e) => /call stack/i.test(e.message))) return unreadable(doc.errors[0]);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => ({
        path: "(yaml)",
        ...at(error.pos[0]),
        message: `not valid YAML: ${firstLine(error.message)}`,
        fix: "fix the YAML syntax at this line (indent with spaces, and quote values that contain ': ' or '#')",
      })),
    };
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_CONFIG_ALIASES }) ?? {};
  } catch (error) {
    if (!(error instanceof ReferenceError && /alias count/i.test(error.message))) return unreadable(error);
    let first: number | undefined;
    visit(doc, {
      Alias(_, node) {
        first = node.range?.[0];
        return visit.BREAK;
      },
    });
    return {
      ok: false,
      problems: [
        {
          path: "(yaml)",
          ...at(first),
          message: `its aliases (*name) expand to more than ${MAX_CONFIG_ALIASES} copies, the most swarm allows (an alias bomb makes a small file huge)`,
          fix: "write the values out, or use fewer anchors (&name) and aliases",
        },
      ],
    };
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    return {
      ok: false,
      problems: [
        {
          path: "(root)",
          ...at(doc.contents?.range?.[0]),
          message: `the file must be a mapping of settings, but it is ${describeValue(value)}`,
          fix: "start the file with settings such as `label: swarm`; see the configuration reference",
        },
      ],
    };
  }

  const parsed = RepoConfigSchema.safeParse(value);
  if (parsed.success) return { ok: true, config: parsed.data };

  const problems = parsed.error.issues.flatMap((issue) => toProblems(issue, doc, value, at));
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ok: false, problems };
}

/** The file's text, or why it has none: too large, binary, or not UTF-8. */
function decodeConfig(
  source: string | Uint8Array,
): { ok: true; text: string } | Extract<ConfigResult, { ok: false }> {
  const fail = (message: string, fix: string, line?: number) => ({
    ok: false as const,
    problems: [{ path: "(file)", ...(line === undefined ? {} : { line, column: 1 }), message, fix }],
  });
  // A string's UTF-16 length is at most its UTF-8 size, so a long string is refused before it is encoded.
  const bytes =
    typeof source !== "string"
      ? source.byteLength
      : source.length > MAX_CONFIG_BYTES
        ? source.length
        : new TextEncoder().encode(source).byteLength;
  const tooLarge = configSizeProblem(bytes);
  if (tooLarge) return { ok: false, problems: [tooLarge] };
  const strict = typeof source === "string" ? source : decodeStrictly(source);
  const lenient = strict ?? new TextDecoder("utf-8").decode(source as Uint8Array);
  const lineOf = (index: number) => lenient.slice(0, index).split("\n").length;
  const nul = lenient.indexOf("\u0000");
  if (nul >= 0)
    return fail(
      `the file is binary (a NUL byte on line ${lineOf(nul)}), not YAML text`,
      "write the config as UTF-8 text; `swarm config schema` prints the keys it may hold",
      lineOf(nul),
    );
  // U+FFFD is what a lenient decoder leaves for bytes that are not UTF-8 (text came decoded so already).
  const bad = typeof source === "string" || strict === null ? lenient.indexOf("\uFFFD") : -1;
  if (bad >= 0)
    return fail(
      `the file is not UTF-8 text (line ${lineOf(bad)} has bytes that are not UTF-8)`,
      "save the file as UTF-8 (your editor's encoding setting), or retype the characters on that line",
      lineOf(bad),
    );
  return { ok: true, text: lenient };
}

function decodeStrictly(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** YAML the parser gave up on: nesting so deep that its stack ran out, or worse. */
function unreadable(error: unknown): Extract<ConfigResult, { ok: false }> {
  const why = error instanceof Error ? firstLine(error.message) : String(error);
  return {
    ok: false,
    problems: [
      {
        path: "(yaml)",
        message: /call stack/i.test(why)
          ? "the YAML nests too deeply to be read (lists or mappings inside each other thousands of levels down)"
          : `cannot be read as YAML (${why})`,
        fix: "simplify the file: a config is a shallow mapping of settings, such as `label: swarm`",
      },
    ],
  };
}

function toProblems(
  issue: z.core.$ZodIssue,
  doc: Document,
  root: unknown,
  at: (offset: number | undefined) => { line?: number; column?: number },
): ConfigProblem[] {
  const path = issue.path.filter((k): k is Key => typeof k !== "symbol");

  if (issue.code === "unrecognized_keys") {
    const known = knownKeys(path);
    return issue.keys.map((key) => {
      const suggestion = closestWord(key, known);
      return {
        path: formatPath([...path, key]),
        ...at(keyOffset(doc, path, key)),
        message: `unknown key "${key}"`,
        fix: suggestion
          ? `did you mean "${suggestion}"? Rename it, or remove it`
          : `remove it; the keys allowed here are: ${known.join(", ")}`,
      };
    });
  }

  const location = at(valueOffset(doc, path));
  const value = valueAt(root, path);
  const base = { path: formatPath(path), ...location };

  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) {
        return [
          { ...base, message: `is required`, fix: `add ${formatPath(path)} (${article(issue.expected)})` },
        ];
      }
      return [
        {
          ...base,
          message: `must be ${article(issue.expected)}, but it is ${describeValue(value)}`,
          fix: fixForType(issue.expected),
        },
      ];
    case "too_small": {
      if (issue.origin === "array" || issue.origin === "string") {
        return [
          {
            ...base,
            message: "must not be empty",
            fix: "give it a value, or remove the key to use the default",
          },
        ];
      }
      const bound = issue.inclusive ? `at least ${issue.minimum}` : `greater than ${issue.minimum}`;
      return [
        {
          ...base,
          message: `must be ${bound}, but it is ${describeValue(value)}`,
          fix: `use a number ${bound}`,
        },
      ];
    }
    case "too_big": {
      const bound = issue.inclusive ? `at most ${issue.maximum}` : `less than ${issue.maximum}`;
      const unit =
        issue.origin === "string" ? " characters long" : issue.origin === "array" ? " items long" : "";
      return [
        {
          ...base,
          message: `must be ${bound}${unit}, but it is ${describeValue(value)}`,
          fix: `use a value ${bound}${unit}`,
        },
      ];
    }
    case "invalid_value":
      return [
        {
          ...base,
          message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
          fix: "choose one of those values",
        },
      ];
    default: {
      // Refinements in the schema carry their own fix; the value is shown unless the message names it.
      const fix =
        issue.code === "custom" && typeof issue.params?.fix === "string" ? issue.params.fix : undefined;
      const shown =
        value === undefined || issue.message.includes(String(value))
          ? ""
          : `, but it is ${describeValue(value)}`;
      return [
        {
          ...base,
          message: `${issue.message}${shown}`,
          fix: fix ?? "change the value; see the configuration reference for what is allowed",
        },
      ];
    }
  }
}

function formatPath(path: readonly Key[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((k, i) =>
      typeof k === "number" ? `[${k}]` : /^[A-Za-z_][\w-]*$/.test(k) ? `${i ? "." : ""}${k}` : `["${k}"]`,
    )
    .join("");
}

function valueAt(root: unknown, path: readonly Key[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<Key, unknown>)[key];
  }
  return value;
}

/** Offset of the value at `path`, or of its nearest ancestor present in the file. */
function valueOffset(doc: Document, path: readonly Key[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

function keyOffset(doc: Document, parentPath: readonly Key[], key: string): number | undefined {
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isNode(item.key) && String(item.key.toJSON()) === key);
    if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
  }
  return valueOffset(doc, parentPath);
}

/** The keys the schema allows at `path`, to suggest a fix for an unknown key. */
function knownKeys(path: readonly Key[]): string[] {
  let schema: z.core.$ZodType = RepoConfigSchema;
  for (const key of [...path, null]) {
    schema = unwrap(schema);
    if (key === null) break;
    const def = schema._zod.def;
    if (def.type === "object") {
      const shape = (def as z.core.$ZodObjectDef).shape;
      const next = typeof key === "string" ? shape[key] : undefined;
      if (!next) return [];
      schema = next;
    } else if (def.type === "record") {
      schema = (def as z.core.$ZodRecordDef).valueType;
    } else if (def.type === "array") {
      schema = (def as z.core.$ZodArrayDef).element;
    } else {
      return [];
    }
  }
  const def = schema._zod.def;
  return def.type === "object" ? Object.keys((def as z.core.$ZodObjectDef).shape) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else return current;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return "empty (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string")
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return String(value);
}

function article(type: string): string {
  const names: Record<string, string> = {
    number: "a number",
    int: "a whole number",
    string: "text",
    boolean: "true or false",
    array: "a list",
    object: "a mapping of keys",
    record: "a mapping of keys",
  };
  return names[type] ?? `a ${type}`;
}

function fixForType(expected: string): string {
  switch (expected) {
    case "number":
    case "int":
      return "write a number without quotes, for example 3";
    case "string":
      return "write text; quote it if it looks like a number or true/false";
    case "boolean":
      return "write true or false without quotes";
    case "array":
      return "write a list, one `- item` per line or [a, b]";
    default:
      return "write a mapping of keys, indented under this one";
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
