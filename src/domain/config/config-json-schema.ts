import { z } from "zod";
import { RepoConfigSchema } from "./repo-config.js";

export type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  [key: string]: unknown;
};

/**
 * JSON Schema of `.github/swarm.yml` (what a user writes, so defaulted keys are optional), for editors.
 * Committed as schema/swarm-config.schema.json; a test fails when the committed copy is stale.
 */
export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(RepoConfigSchema, { io: "input", target: "draft-2020-12" }) as JsonSchema;
  return { ...schema, title: "swarm configuration (.github/swarm.yml)", ...dropSafeIntBounds(schema) };
}

// z.int() adds ±(2^53 - 1) bounds, which say nothing to a person reading the schema.
function dropSafeIntBounds(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === "maximum" || key === "minimum") && Math.abs(Number(value)) === Number.MAX_SAFE_INTEGER)
      continue;
    out[key] = Array.isArray(value)
      ? value.map((v) => (isSchema(v) ? dropSafeIntBounds(v) : v))
      : isSchema(value) && key !== "default"
        ? dropSafeIntBounds(value)
        : value;
  }
  return out;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
