// The part of GitHub's GraphQL API swarm uses, answered as GitHub does: only the fields a query selects
// (aliases honoured), variables substituted, and errors as `{ errors: [...] }` with status 200. A field the
// fake does not know is an error, as it is on GitHub for a field the schema lacks, so a query cannot ask for
// something the fake would silently leave out.

type Value = string | number | boolean | null | { var: string } | { [key: string]: Value } | Value[];
type Selection = { name: string; alias: string; args: Record<string, Value>; selections: Selection[] };
type Operation = { kind: "query" | "mutation"; selections: Selection[] };

/** A GraphQL object: each field a function of its arguments, giving a scalar, an object, or a list of them. */
export type GqlObject = {
  __typename: string;
  fields: Record<string, (args: Record<string, unknown>) => unknown>;
};

export class GqlError extends Error {
  constructor(
    message: string,
    readonly type?: string,
  ) {
    super(message);
  }
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re =
    /\s+|,|#[^\n]*|("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|(\$?[_A-Za-z][_0-9A-Za-z]*)|([{}():!=[\]])|(.)/gy;
  for (let m = re.exec(text); m && m[0] !== ""; m = re.exec(text)) {
    if (m[6]) throw new GqlError(`Parse error on "${m[6]}"`);
    const token = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (token !== undefined) tokens.push(token);
    if (re.lastIndex >= text.length) break;
  }
  return tokens;
}

function parse(query: string): Operation {
  const t = tokenize(query);
  let i = 0;
  const peek = () => t[i];
  const take = (expected?: string) => {
    const token = t[i++];
    if (token === undefined || (expected !== undefined && token !== expected))
      throw new GqlError(
        `Parse error on "${token ?? "end of query"}"${expected ? ` (expected ${expected})` : ""}`,
      );
    return token;
  };
  const value = (): Value => {
    const token = take();
    if (token.startsWith("$")) return { var: token.slice(1) };
    if (token.startsWith('"')) return JSON.parse(token) as string;
    if (/^-?\d/.test(token)) return Number(token);
    if (token === "true" || token === "false") return token === "true";
    if (token === "null") return null;
    if (token === "[") {
      const list: Value[] = [];
      while (peek() !== "]") list.push(value());
      take("]");
      return list;
    }
    if (token === "{") {
      const object: Record<string, Value> = {};
      while (peek() !== "}") {
        const key = take();
        take(":");
        object[key] = value();
      }
      take("}");
      return object;
    }
    return token; // an enum value
  };
  const selectionSet = (): Selection[] => {
    take("{");
    const out: Selection[] = [];
    while (peek() !== "}") {
      let name = take();
      const alias = name;
      if (peek() === ":") {
        take(":");
        name = take();
      }
      const args: Record<string, Value> = {};
      if (peek() === "(") {
        take("(");
        while (peek() !== ")") {
          const key = take();
          take(":");
          args[key] = value();
        }
        take(")");
      }
      out.push({ name, alias, args, selections: peek() === "{" ? selectionSet() : [] });
    }
    take("}");
    return out;
  };
  let kind: Operation["kind"] = "query";
  if (peek() === "query" || peek() === "mutation") {
    kind = take() as Operation["kind"];
    if (peek() !== "(" && peek() !== "{") take(); // the operation's name
    if (peek() === "(") {
      // Variable definitions: their types are GitHub's business; the values come in `variables`.
      while (take() !== ")");
    }
  }
  const selections = selectionSet();
  if (i !== t.length) throw new GqlError(`Parse error on "${t[i]}"`);
  return { kind, selections };
}

function resolveValue(v: Value, variables: Record<string, unknown>): unknown {
  if (Array.isArray(v)) return v.map((x) => resolveValue(x, variables));
  if (v !== null && typeof v === "object") {
    if ("var" in v && typeof v.var === "string" && Object.keys(v).length === 1)
      return variables[v.var] ?? null;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveValue(x as Value, variables)]));
  }
  return v;
}

const isObject = (x: unknown): x is GqlObject =>
  typeof x === "object" && x !== null && "__typename" in x && "fields" in x;

function project(
  value: unknown,
  selections: Selection[],
  variables: Record<string, unknown>,
  path: string,
): unknown {
  if (Array.isArray(value)) return value.map((v, i) => project(v, selections, variables, `${path}.${i}`));
  if (!isObject(value)) {
    if (selections.length > 0 && value !== null)
      throw new GqlError(`Selections can't be made on scalars (${path})`);
    return value;
  }
  if (selections.length === 0)
    throw new GqlError(`Field must have selections (${path} returns ${value.__typename})`);
  const out: Record<string, unknown> = {};
  for (const s of selections) {
    if (s.name === "__typename") {
      out[s.alias] = value.__typename;
      continue;
    }
    const field = value.fields[s.name];
    if (!field) throw new GqlError(`Field '${s.name}' doesn't exist on type '${value.__typename}'`);
    const args = Object.fromEntries(Object.entries(s.args).map(([k, v]) => [k, resolveValue(v, variables)]));
    out[s.alias] = project(field(args), s.selections, variables, `${path}.${s.alias}`);
  }
  return out;
}

/** Runs `query` against the root objects: GitHub's answer body (`data`, or `errors`). */
export function executeGraphql(
  query: string,
  variables: Record<string, unknown>,
  roots: { query: GqlObject; mutation: GqlObject },
): { data: unknown; errors?: { type?: string; message: string; path?: string[] }[] } {
  try {
    const op = parse(query);
    return {
      data: project(op.kind === "mutation" ? roots.mutation : roots.query, op.selections, variables, ""),
    };
  } catch (error) {
    if (!(error instanceof GqlError)) throw error;
    return { data: null, errors: [{ ...(error.type ? { type: error.type } : {}), message: error.message }] };
  }
}

/** A connection (`first`/`after`, cursors opaque), as GitHub pages lists. */
export function connection(
  typename: string,
  items: readonly unknown[],
  args: Record<string, unknown>,
): GqlObject {
  const first = typeof args.first === "number" ? args.first : undefined;
  const last = typeof args.last === "number" ? args.last : undefined;
  if (first === undefined && last === undefined)
    throw new GqlError(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${typename}\` connection.`,
      "MISSING_PAGINATION_BOUNDARIES",
    );
  if ((first ?? last ?? 0) > 100 || (first ?? last ?? 0) < 0)
    throw new GqlError(
      `Requesting ${first ?? last} records on the \`${typename}\` connection exceeds the \`first\` limit of 100 records.`,
      "EXCESSIVE_PAGINATION",
    );
  const cursor = (i: number) => Buffer.from(`cursor:v2:${i}`).toString("base64");
  const start =
    typeof args.after === "string"
      ? Number(Buffer.from(args.after, "base64").toString().split(":")[2]) + 1
      : 0;
  const from = last !== undefined ? Math.max(start, items.length - last) : start;
  const to = first !== undefined ? Math.min(items.length, from + first) : items.length;
  const page = items.slice(from, to);
  return {
    __typename: typename,
    fields: {
      nodes: () => page,
      totalCount: () => items.length,
      pageInfo: () => ({
        __typename: "PageInfo",
        fields: {
          hasNextPage: () => to < items.length,
          hasPreviousPage: () => from > 0,
          endCursor: () => (page.length > 0 ? cursor(to - 1) : null),
          startCursor: () => (page.length > 0 ? cursor(from) : null),
        },
      }),
    },
  };
}
