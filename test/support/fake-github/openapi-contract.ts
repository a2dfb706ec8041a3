// GitHub's own OpenAPI description is the contract: every request the fake receives must name a route and
// method that exist and carry a body that matches its schema, and the fake's answers for the routes swarm
// reads must match their response schemas. Objects are shaped from the same schemas (see `skeleton`).
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

type Schema = Record<string, unknown>;
type Operation = {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> } | { $ref: string }>;
};
type Spec = {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
};

export type Route = { template: string; method: string; params: Record<string, string> };

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;

let loaded: Contract | undefined;

/** One contract per process: the description is 13 MB and takes a moment to load and prepare. */
export function githubContract(): Contract {
  loaded ??= new Contract();
  return loaded;
}

export class Contract {
  private readonly spec: Spec;
  private readonly ajv: Ajv;
  private readonly routes: { template: string; pattern: RegExp; names: string[] }[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    // The package index would load every description (385 MB); the one file is enough.
    const spec = createRequire(import.meta.url)("@octokit/openapi/generated/api.github.com.json") as Spec;
    this.spec = rewriteNullable(structuredClone(spec)) as Spec;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addFormat("repo.nwo", /^[\w.-]+\/[\w.-]+$/); // GitHub's own format: owner/name

    this.ajv.addSchema({ components: this.spec.components }, "github");
    this.routes = Object.keys(this.spec.paths)
      .map((template) => {
        const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
        // {path} in contents routes spans slashes; every other parameter is one segment.
        const source = template.replace(/\{([^}]+)\}/g, (_, name: string) =>
          name === "path" ? "(.+)" : "([^/]+)",
        );
        return { template, pattern: new RegExp(`^${source}$`), names };
      })
      // Literal segments win over parameters: /repos/{o}/{r}/issues/comments before /issues/{number}.
      .sort(
        (a, b) => b.template.replace(/\{[^}]+\}/g, "").length - a.template.replace(/\{[^}]+\}/g, "").length,
      );
  }

  /** The documented route for a request path, or null when GitHub has no such route and method. */
  match(method: string, path: string): Route | null {
    const m = method.toLowerCase();
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found || !this.spec.paths[route.template]?.[m]) continue;
      const params = Object.fromEntries(
        route.names.map((n, i) => [n, decodeURIComponent(found[i + 1] ?? "")]),
      );
      return { template: route.template, method: m, params };
    }
    return null;
  }

  /** Problems of a request body against the route's request schema; empty when it conforms. */
  checkRequest(route: Route, body: unknown): string[] {
    const requestBody = this.operation(route).requestBody;
    const schema = requestBody?.content?.["application/json"]?.schema;
    if (!schema) return [];
    if (body === undefined) return requestBody?.required ? ["(body) is required"] : [];

    return this.check(`req ${route.method} ${route.template}`, schema, body);
  }

  /** Problems of a response body against the route's schema for that status; empty when it conforms. */
  checkResponse(route: Route, status: number, body: unknown): string[] {
    const schema = this.responseSchema(route, status);
    if (!schema) return [];
    return this.check(`res ${status} ${route.method} ${route.template}`, schema, body);
  }

  /** Problems of a value against a component schema (webhook payloads have no route to check them by). */
  checkComponent(component: string, value: unknown): string[] {
    return this.check(`component ${component}`, { $ref: `#/components/schemas/${component}` }, value);
  }

  /**
   * A minimal object valid against a component schema, to lay the fake's own fields over. With `objects`,
   * nullable objects are built rather than left null, so a deep overlay finds their required fields.
   */
  skeleton(component: string, options: { objects?: boolean } = {}): Record<string, unknown> {
    const ref = { $ref: `#/components/schemas/${component}` };
    return skeletonOf(ref, this.spec, 0, false, options.objects ?? false) as Record<string, unknown>;
  }

  private operation(route: Route): Operation {
    return this.spec.paths[route.template]?.[route.method] ?? {};
  }

  private responseSchema(route: Route, status: number): Schema | undefined {
    let response = this.operation(route).responses?.[String(status)];
    if (response && "$ref" in response) response = resolve(this.spec, response.$ref) as typeof response;
    return response && "content" in response ? response.content?.["application/json"]?.schema : undefined;
  }

  private check(key: string, schema: Schema, value: unknown): string[] {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(withRefsInto(schema, "github") as Schema);

      this.validators.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? [])
      .slice(0, 10)
      .map(
        (e) =>
          `${e.instancePath || "(body)"} ${e.message ?? "is invalid"}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
      );
  }
}

/** OpenAPI 3.0's `nullable: true` becomes a JSON Schema type that admits null, which ajv understands. */
function rewriteNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteNullable);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = rewriteNullable(v);
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (typeof out.type === "string") {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}

function withRefsInto(schema: unknown, id: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => withRefsInto(s, id));
  if (typeof schema !== "object" || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === "$ref" && typeof v === "string" && v.startsWith("#/") ? `${id}${v}` : withRefsInto(v, id),
    ]),
  );
}

function resolve(spec: Spec, ref: string): unknown {
  return ref
    .replace(/^#\//, "")
    .split("/")
    .reduce<unknown>(
      (node, key) =>
        (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, "/").replace(/~0/g, "~")],
      spec,
    );
}

/** `nullIfAllowed`: a nullable property is left null; the object asked for (and its parts) never is. */
function skeletonOf(
  schema: unknown,
  spec: Spec,
  depth: number,
  nullIfAllowed: boolean,
  objects: boolean,
): unknown {
  if (typeof schema !== "object" || schema === null || depth > 12) return null;
  const s = schema as Schema;
  const next = (child: unknown, nullable: boolean) => skeletonOf(child, spec, depth + 1, nullable, objects);
  if (typeof s.$ref === "string") return next(resolve(spec, s.$ref), nullIfAllowed);
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const options = s[key];
    if (!Array.isArray(options)) continue;
    if (key === "allOf") return Object.assign({}, ...options.map((o) => next(o, false)));
    const firstNonNull = (options.find((o) => (o as Schema).type !== "null") ?? options[0]) as
      | Schema
      | undefined;
    const isObject = firstNonNull?.type === "object" || typeof firstNonNull?.$ref === "string";
    if (nullIfAllowed && options.some((o) => (o as Schema).type === "null") && !(objects && isObject))
      return null;
    return next(firstNonNull, false);
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  if (Array.isArray(s.type) && s.type.includes("null") && nullIfAllowed && !(objects && type === "object"))
    return null;
  if (Array.isArray(s.enum)) return s.enum.find((v) => v !== null) ?? null;
  switch (type) {
    case "object": {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = (s.required ?? []) as string[];
      return Object.fromEntries(required.map((k) => [k, next(props[k] ?? {}, true)]));
    }
    case "array":
      return [];
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return false;
    case "string":
      return s.format === "date-time"
        ? "2026-01-01T00:00:00Z"
        : s.format === "uri"
          ? "https://github.invalid/"
          : s.format === "email"
            ? "swarm@example.invalid"
            : "x";
    default:
      return {};
  }
}
