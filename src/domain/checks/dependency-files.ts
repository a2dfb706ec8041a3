import { mayWrite } from "../plan/may-write.js";
import type { PlanNode } from "../plan/plan.js";

/** Dependency manifests and lockfiles of the package managers swarm knows, at a repository's root. */
export const DEPENDENCY_FILES = [
  "package.json",
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "requirements.txt",
  "requirements-dev.txt",
  "pyproject.toml",
  "poetry.lock",
  "uv.lock",
  "Pipfile",
  "Pipfile.lock",
  "go.mod",
  "go.sum",
  "Cargo.toml",
  "Cargo.lock",
  "Gemfile",
  "Gemfile.lock",
];

/** Whether the node owns every dependency file the repository has (and it has one): only it may install. */
export function ownsDependencyFiles(
  node: Pick<PlanNode, "id" | "owns">,
  present: readonly string[],
  protectedPaths: readonly string[],
): boolean {
  const files = present.filter((f) => DEPENDENCY_FILES.includes(f));
  return files.length > 0 && files.every((f) => mayWrite(node, f, protectedPaths).ok);
}
