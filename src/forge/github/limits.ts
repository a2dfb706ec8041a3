// GitHub's documented limits that swarm's writes must respect.
export const MAX_ISSUE_BODY = 65_536;
export const MAX_CHECK_TEXT = 65_535;
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
export const MAX_SUB_ISSUES = 100;

/** Cuts `text` to `max` characters with a note saying so, keeping any hidden marker at its end intact. */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = /\n?<!-- swarm:[a-z]+ [A-Za-z0-9_-]+ -->\s*$/.exec(text)?.[0] ?? "";
  const note = `\n\n… (${text.length - max} more characters cut to fit GitHub's limit)`;
  return `${text.slice(0, max - note.length - marker.length)}${note}${marker}`;
}
