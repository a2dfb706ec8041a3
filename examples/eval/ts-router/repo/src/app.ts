/** What the app answers for a path. */
export function handle(path: string): string {
  if (path === "/") return "home";
  return "not found";
}
