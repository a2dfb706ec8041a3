import { matchRoute } from "./match.js";

/** What the app answers for a path. */
export function handle(path: string): string {
  if (path === "/") return "home";
  const user = matchRoute("/users/:id", path);
  if (user) return `user ${user.id}`;
  return "not found";
}
