/** Characters of one check's log that swarm keeps: about 100,000 lines of CI output. */
export const MAX_LOG_CHARACTERS = 8_000_000;

/**
 * A log cut to `max` characters at line ends, keeping its start and its end (where setup problems and the
 * final summary are) with one line in between that says how many lines were left out.
 */
export function boundLog(text: string, max = MAX_LOG_CHARACTERS): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  const headEnd = text.lastIndexOf("\n", half);
  const tailStart = text.indexOf("\n", text.length - half);
  const head = text.slice(0, headEnd < 0 ? half : headEnd);
  const tail = text.slice(tailStart < 0 ? text.length - half : tailStart + 1);
  const cut = text.slice(head.length, text.length - tail.length).split("\n").length - 1;
  return `${head}\n[swarm kept the start and the end of this log: ${cut} lines in the middle were left out]\n${tail}`;
}
