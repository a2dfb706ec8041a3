import { readMarker } from "../../../src/domain/markers.js";
import { git } from "./bare-repo.js";
import type { Issue, Pull, RepoState } from "./state.js";

// What the e2e tests read back from the fake GitHub's state: the dashboard, the PR, its head, its checks.

/** The spec's dashboard comment (the one carrying the dashboard marker). */
export const dashboardOf = (repo: RepoState, spec: Issue) =>
  [...repo.comments.values()].find((c) => c.issueNumber === spec.number && readMarker(c.body, "dashboard"));

/** The repository's first (in these tests, only) pull request. */
export const pullOf = (repo: RepoState) => [...repo.pulls.values()][0] as Pull;

/** The commit the pull request's head branch points at. */
export const headOf = (repo: RepoState, pull: Pull) => git(repo.bare, "rev-parse", pull.head);

/** Each check's conclusion on `sha`, by name (the last run of a name wins). */
export const checksOn = (repo: RepoState, sha: string) =>
  Object.fromEntries(
    [...repo.checkRuns.values()].filter((r) => r.headSha === sha).map((r) => [r.name, r.conclusion]),
  );
