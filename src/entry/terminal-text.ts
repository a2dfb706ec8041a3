/**
 * Markdown written for GitHub, as plain text for a terminal: no `**`, no backticks, and the advice that only
 * makes sense on GitHub (commenting `/swarm retry`) replaced by what to do here.
 */
export function terminalText(markdown: string, command = "swarm run"): string {
  return (
    markdown
      // Commands that only exist as comments on GitHub become what to do here.
      .replace(/comment `\/swarm retry`( to [^.;,]+)?/gi, `run \`${command}\` again`)
      .replace(/comment `\/swarm (replan|revise)[^`]*`( to [^.;,]+)?/gi, `run \`${command}\` again`)
      .replace(/`\/swarm (retry|replan|revise|status|cancel|approve)[^`]*`/gi, `\`${command}\``)
      .replace(/\*\*([^*]+)\*\*/g, "$1")
      .replace(/`([^`\n]+)`/g, "$1")
      .replace(/^#{1,6}\s+/gm, "")
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}

/** A word of a command line, quoted for a POSIX shell when it needs to be, so it can be pasted as is. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
