/** The largest config swarm reads, in bytes (256 KiB): settings fill a page, so more is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** The problem of a config file of `bytes` bytes, or null when its size is fine. Checked before it is read. */
export function configSizeProblem(bytes: number): { path: string; message: string; fix: string } | null {
  if (bytes <= MAX_CONFIG_BYTES) return null;
  return {
    path: "(file)",
    message: `the file is ${kib(bytes)} (${bytes} bytes); swarm reads a config of at most ${kib(MAX_CONFIG_BYTES)} (${MAX_CONFIG_BYTES} bytes)`,
    fix: "keep only swarm's settings in it (a config is a page of keys); move anything long elsewhere",
  };
}

function kib(bytes: number): string {
  return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
}
