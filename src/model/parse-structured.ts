import type { z } from "zod";

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** A model's JSON answer checked against `schema`: the value, or the problems to send back, field by field. */
export function parseStructured<T>(text: string, schema: z.ZodType<T>): Parsed<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`the reply is not valid JSON (${(error as Error).message})`] };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
  };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(the whole object)";
  return path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i ? "." : ""}${String(k)}`)).join("");
}
