/** Top-level JSON objects and arrays embedded in mixed output (npm's lines around a reporter's JSON). */
export function extractJson(text: string): unknown[] {
  const found: unknown[] = [];
  for (let start = 0; start < text.length; start++) {
    const open = text[start];
    if (open !== "{" && open !== "[") continue;
    if (start > 0 && text[start - 1] !== "\n") continue; // reporters print JSON from the start of a line
    const end = matchingEnd(text, start);
    if (end < 0) continue;
    try {
      found.push(JSON.parse(text.slice(start, end + 1)));
      start = end;
    } catch {
      /* not JSON after all */
    }
  }
  return found;
}

function matchingEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
