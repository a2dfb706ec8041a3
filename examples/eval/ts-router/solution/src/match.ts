/** The parameters of `path` under `pattern` (`/users/:id`), or null when it does not match. */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const split = (p: string) => p.split("/").filter(Boolean);
  const want = split(pattern);
  const got = split(path);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const value = got[i] as string;
    if (segment.startsWith(":")) params[segment.slice(1)] = value;
    else if (segment !== value) return null;
  }
  return params;
}
