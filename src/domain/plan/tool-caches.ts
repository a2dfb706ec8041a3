// What toolchains write next to the code whether or not the repository ignores it: bytecode, test caches and
// installed dependencies. Never a node's work, never committed, never reported as a write outside its files.
const CACHE_FOLDERS = new Set([
  "node_modules",
  "__pycache__",
  ".pytest_cache",
  ".mypy_cache",
  ".ruff_cache",
  ".tox",
  ".venv",
]);
const CACHE_FILES = /\.(?:pyc|pyo|tsbuildinfo)$/;

export function isToolCache(path: string): boolean {
  const parts = path.split("/");
  return parts.some((p) => CACHE_FOLDERS.has(p)) || CACHE_FILES.test(path);
}
