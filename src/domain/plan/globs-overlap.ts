// Whether two owned-file patterns can name the same file, and if so one such file (the witness).
// Patterns are paths or globs: `*` and `?` within a segment, `[abc]` classes, `{a,b}` alternatives, and
// `**` for any number of segments. The test is exact: it searches the product of the two patterns'
// automata, first over segments (where `**` loops) and then, for each pair of segments, over characters.

type CharAtom = { kind: "any" } | { kind: "star" } | { kind: "set"; chars: Set<string>; negated: boolean };
type Segment = { kind: "globstar" } | { kind: "atoms"; atoms: CharAtom[] };

/**
 * Returns a path matched by both patterns, or null when no file can match both. The first search makes
 * every `*` and `**` match something, so the example reads like a real file (`src/x.ts`, not `src/.ts`);
 * those patterns match a subset of the originals, and the second, plain search settles the rest.
 */
export function globsOverlap(a: string, b: string): string | null {
  const pairs = expandBraces(a).flatMap((left) => expandBraces(b).map((right) => [left, right] as const));
  for (const nonEmpty of [true, false]) {
    for (const [left, right] of pairs) {
      const witness = segmentsOverlap(parsePattern(left, nonEmpty), parsePattern(right, nonEmpty));
      if (witness !== null) return witness;
    }
  }
  return null;
}

export function isGlob(pattern: string): boolean {
  return /[*?[{]/.test(pattern);
}

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf("{");
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) {
      const inner = pattern.slice(open + 1, i);
      const starts = [0, ...commas.map((c) => c - open)];
      const ends = [...commas.map((c) => c - open - 1), inner.length];
      const rest = expandBraces(pattern.slice(i + 1));
      return starts.flatMap((s, k) =>
        expandBraces(inner.slice(s, ends[k])).flatMap((alt) =>
          rest.map((r) => pattern.slice(0, open) + alt + r),
        ),
      );
    } else if (ch === "," && depth === 1) commas.push(i);
  }
  return [pattern]; // unbalanced: treat the brace literally
}

function parsePattern(pattern: string, nonEmpty: boolean): Segment[] {
  const segments = pattern
    .replace(/\/+$/, "/**")
    .split("/")
    .filter((s) => s !== "");
  return segments.flatMap((s): Segment[] => {
    if (s !== "**") return [{ kind: "atoms", atoms: parseAtoms(s, nonEmpty) }];
    return nonEmpty
      ? [{ kind: "atoms", atoms: [{ kind: "any" }, { kind: "star" }] }, { kind: "globstar" }]
      : [{ kind: "globstar" }];
  });
}

function parseAtoms(segment: string, nonEmpty: boolean): CharAtom[] {
  const atoms: CharAtom[] = [];
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    if (ch === "*") {
      if (atoms.at(-1)?.kind === "star") continue;
      if (nonEmpty) atoms.push({ kind: "any" });
      atoms.push({ kind: "star" });
    } else if (ch === "?") atoms.push({ kind: "any" });
    else if (ch === "[" && segment.indexOf("]", i + 2) > 0) {
      const close = segment.indexOf("]", i + 2);
      let body = segment.slice(i + 1, close);
      const negated = body.startsWith("!") || body.startsWith("^");
      if (negated) body = body.slice(1);
      const chars = new Set<string>();
      for (let k = 0; k < body.length; k++) {
        const from = body[k] as string;
        const to = body[k + 2];
        if (body[k + 1] === "-" && to !== undefined) {
          for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) chars.add(String.fromCharCode(c));
          k += 2;
        } else chars.add(from);
      }
      atoms.push({ kind: "set", chars, negated });
      i = close;
    } else
      atoms.push({
        kind: "set",
        chars: new Set([ch === "\\" ? (segment[++i] ?? "\\") : ch]),
        negated: false,
      });
  }
  return atoms;
}

/** Product search over segment sequences; `**` matches zero or more whole segments. */
function segmentsOverlap(a: Segment[], b: Segment[]): string | null {
  return (
    productSearch(a.length, b.length, (i, j) => {
      const sa = a[i];
      const sb = b[j];
      const moves: Move[] = [];
      if (sa?.kind === "globstar") moves.push({ i: i + 1, j, emit: "" });
      if (sb?.kind === "globstar") moves.push({ i, j: j + 1, emit: "" });
      if (sa && sb) {
        const piece = segmentPairWitness(sa, sb);
        if (piece !== null) {
          moves.push({
            i: sa.kind === "globstar" ? i : i + 1,
            j: sb.kind === "globstar" ? j : j + 1,
            emit: piece,
          });
        }
      }
      return moves;
    })
      ?.filter((piece) => piece !== "")
      .join("/") ?? null
  );
}

function segmentPairWitness(a: Segment, b: Segment): string | null {
  if (a.kind === "globstar" && b.kind === "globstar") return "x";
  if (a.kind === "globstar") return b.kind === "atoms" ? atomsOverlap([{ kind: "star" }], b.atoms) : null;
  if (b.kind === "globstar") return atomsOverlap(a.atoms, [{ kind: "star" }]);
  return atomsOverlap(a.atoms, b.atoms);
}

/** Product search over the characters of two segments; `*` matches zero or more characters. */
function atomsOverlap(a: CharAtom[], b: CharAtom[]): string | null {
  const witness = productSearch(a.length, b.length, (i, j) => {
    const x = a[i];
    const y = b[j];
    const moves: Move[] = [];
    if (x?.kind === "star") moves.push({ i: i + 1, j, emit: "" });
    if (y?.kind === "star") moves.push({ i, j: j + 1, emit: "" });
    if (x && y) {
      const ch = commonChar(x, y);
      if (ch !== null)
        moves.push({ i: x.kind === "star" ? i : i + 1, j: y.kind === "star" ? j : j + 1, emit: ch });
    }
    return moves;
  });
  const text = witness?.join("") ?? null;
  // A segment is never empty; a pair of bare stars meets on any one character.
  return text === "" ? (a.length + b.length > 0 ? "x" : null) : text;
}

function commonChar(x: CharAtom, y: CharAtom): string | null {
  const accepts = (atom: CharAtom, ch: string) =>
    atom.kind !== "set" || (atom.negated ? !atom.chars.has(ch) : atom.chars.has(ch));
  const candidates = [
    ...(x.kind === "set" && !x.negated ? x.chars : []),
    ...(y.kind === "set" && !y.negated ? y.chars : []),
    ..."xyz0_",
  ];
  return candidates.find((ch) => ch !== "/" && accepts(x, ch) && accepts(y, ch)) ?? null;
}

type Move = { i: number; j: number; emit: string };

/** Breadth-first search from (0,0) to (endA,endB); returns the pieces emitted along the way. */
function productSearch(endA: number, endB: number, next: (i: number, j: number) => Move[]): string[] | null {
  const key = (i: number, j: number) => i * (endB + 1) + j;
  const seen = new Map<number, { from: number; emit: string } | null>([[0, null]]);
  const queue: [number, number][] = [[0, 0]];
  for (let head = 0; head < queue.length; head++) {
    const [i, j] = queue[head] as [number, number];
    if (i === endA && j === endB) {
      const pieces: string[] = [];
      for (let step = seen.get(key(i, j)); step; step = seen.get(step.from)) pieces.unshift(step.emit);
      return pieces;
    }
    for (const move of next(i, j)) {
      const k = key(move.i, move.j);
      if (seen.has(k)) continue;
      seen.set(k, { from: key(i, j), emit: move.emit });
      queue.push([move.i, move.j]);
    }
  }
  return null;
}
