/** Repository-relative form of a path the model sent: relative, or absolute under /workspace. Null if outside. */
export function repositoryPath(path: string): string | null {
  let p = path.trim();
  if (p === "/workspace" || p.startsWith("/workspace/")) p = p.slice("/workspace".length).replace(/^\/+/, "");
  else if (p.startsWith("/")) return null;
  p = p.replace(/^(?:\.\/)+/, "").replace(/\/+$/, "");
  if (p.split("/").includes("..")) return null;
  return p === "." ? "" : p;
}
