import { configJsonSchema, type JsonSchema } from "./config-json-schema.js";
import { DEFAULT_PRICES } from "./repo-config.js";

/** The configuration reference in Markdown, generated from the schema (kept in the README). */
export function renderConfigReference(): string {
  const rows: string[] = ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"];
  walk(configJsonSchema(), "", rows);
  const prices = Object.entries(DEFAULT_PRICES).map(
    ([model, p]) => `| \`${model}\` | ${p.input} | ${p.output} | ${p.cacheRead} | ${p.cacheWrite} |`,
  );
  return [
    ...rows,
    "",
    "Built-in prices (USD per million tokens; `prices` adds models or overrides these):",
    "",
    "| Model | input | output | cacheRead | cacheWrite |",
    "| --- | --- | --- | --- | --- |",
    ...prices,
  ].join("\n");
}

function walk(schema: JsonSchema, prefix: string, rows: string[]): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.type === "object" && child.properties) {
      walk(child, path, rows);
      continue;
    }
    rows.push(`| \`${path}\` | ${typeOf(child)} | ${defaultOf(child)} | ${cell(child.description ?? "")} |`);
    const entry = child.additionalProperties;
    if (typeof entry === "object" && entry.properties) walk(entry, `${path}.<model>`, rows);
  }
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  if (schema.type === "array") return `list of ${typeOf(schema.items ?? {})}`;
  if (schema.type === "object") return "mapping";
  const bounds: string[] = [];
  if (schema.minimum !== undefined) bounds.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) bounds.push(`≤ ${schema.maximum}`);
  const type = String(schema.type ?? "any");
  return bounds.length > 0 ? `${type} (${bounds.join(", ")})` : type;
}

function defaultOf(schema: JsonSchema): string {
  if (schema.default === undefined) return "—";
  if (schema.type === "object") return "built-in table";
  return `\`${cell(JSON.stringify(schema.default))}\``;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}
