/**
 * Text within `max` characters: its start (a third) and its end (two thirds, where errors and summaries
 * are), cut at line boundaries, with a line in between that says how much was left out.
 */
export function keepEnds(text: string, max: number): string {
  if (text.length <= max) return text;
  const headEnd = lineBoundary(text, Math.floor(max / 3), "before");
  const tailStart = lineBoundary(text, text.length - Math.floor((max * 2) / 3), "after");
  if (tailStart <= headEnd) return text;
  const cut = text.slice(headEnd, tailStart);
  const lines = cut.split("\n").length - 1;
  return `${text.slice(0, headEnd)}… [${lines} lines, ${cut.length} characters cut here: the output's start and end are kept] …\n${text.slice(tailStart)}`;
}

function lineBoundary(text: string, at: number, side: "before" | "after"): number {
  if (side === "before") {
    const nl = text.lastIndexOf("\n", at);
    return nl > at / 2 ? nl + 1 : at;
  }
  const nl = text.indexOf("\n", at);
  return nl >= 0 && nl - at < 200 ? nl + 1 : at;
}
