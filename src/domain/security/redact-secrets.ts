// Secrets never reach a trace, a log or a prompt. Known values (the process's own keys and tokens) are
// replaced wherever they appear, and so is anything shaped like a credential.

const PATTERNS: readonly RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g, // Anthropic API keys
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens: personal, OAuth, user-to-server, server-to-server, refresh
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g, // fine-grained personal access tokens
  /(?<=[Bb]earer\s+)[A-Za-z0-9._~+/=-]{16,}/g, // Authorization headers
  /(?<=https?:\/\/[^\s/:@]*:)[^\s/@]{8,}(?=@)/g, // passwords in URLs (x-access-token:TOKEN@github.com)
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

export const REDACTED = "[REDACTED]";

/** `text` with every known secret and every credential-shaped string replaced by [REDACTED]. */
export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole. Short values would redact
  // ordinary words, so only values of 8 characters or more count as secrets.
  for (const secret of [...knownSecrets].filter((s) => s.length >= 8).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
  }
  for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** Values of environment variables that hold secrets, to pass to redactSecrets. */
export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value && /KEY|TOKEN|SECRET|PASSWORD|PRIVATE/i.test(name))
    .map(([, value]) => value as string);
}
