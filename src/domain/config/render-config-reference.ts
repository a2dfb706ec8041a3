import { configJsonSchema, type JsonSchema } from "./config-json-schema.js";
import { DEFAULT_PRICES, PRICES_SOURCE } from "./repo-config.js";

/** The configuration reference in Markdown, generated from the schema (kept in the README). */
export function renderConfigReference(): string {
  const rows: string[] = ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"];
  walk(configJsonSchema(), "", rows);
  const prices = Object.entries(DEFAULT_PRICES).flatMap(([model, p]) => [
    `| \`${model}\` | ${p.input} | ${p.output} | ${p.cacheRead} | ${p.cacheWrite} | ${p.cacheWrite1h} |`,
    ...("longPrompt" in p
      ? [
          `| \`${model}\`, prompt over ${p.longPrompt.aboveTokens.toLocaleString("en-US")} tokens | ${p.longPrompt.input} | ${p.longPrompt.output} | ${p.longPrompt.cacheRead} | ${p.longPrompt.cacheWrite} | ${p.longPrompt.cacheWrite1h} |`,
        ]
      : []),
  ]);
  return [
    ...rows,
    "",
    `Built-in prices (USD per million tokens; \`cacheWrite\` is a 5-minute write, \`cacheWrite1h\` an hour's, 2× the input price where a \`prices\` entry leaves it out; \`prices\` adds models or overrides these), from Anthropic's [pricing](${PRICES_SOURCE.pricing}) and [models overview](${PRICES_SOURCE.models}) pages as of ${PRICES_SOURCE.asOf}. The defaults of \`models\` are the current lineup: Opus 5.5 plans, Sonnet 5.5 codes and reviews, Haiku 5.5 resolves merge conflicts; \`claude-opus-5\`, \`claude-sonnet-5\` and \`claude-haiku-4-5\` are legacy models, priced for configurations that still name them.`,
    "",
    "| Model | input | output | cacheRead | cacheWrite | cacheWrite1h |",
    "| --- | --- | --- | --- | --- | --- |",
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
