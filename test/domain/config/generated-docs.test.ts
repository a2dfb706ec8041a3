import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  README_FILE,
  readmeWithReference,
  SCHEMA_FILE,
  schemaFileText,
} from "../../../scripts/config-docs.js";

// The JSON Schema and the README's configuration reference are generated from the zod schema and
// committed. When the schema changes, run `npm run docs:config` and commit the result.
describe("generated config docs", () => {
  it(`${SCHEMA_FILE} matches the schema`, () => {
    expect(readFileSync(SCHEMA_FILE, "utf8"), "stale: run npm run docs:config").toBe(schemaFileText());
  });

  it(`the configuration reference in ${README_FILE} matches the schema`, () => {
    const readme = readFileSync(README_FILE, "utf8");
    expect(readme, "stale: run npm run docs:config").toBe(readmeWithReference(readme));
    expect(readme).toContain("| `limits.maxNodes` | integer (> 0, ≤ 100) | `12` |");
  });

  it("the schema lets editors check what a user writes", () => {
    const schema = JSON.parse(schemaFileText());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required ?? []).toEqual([]);
    expect(schema.properties.limits.properties.maxNodes).toMatchObject({
      type: "integer",
      maximum: 100,
      default: 12,
    });
  });
});
