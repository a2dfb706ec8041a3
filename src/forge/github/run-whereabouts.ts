import { findIntegrationBranch } from "../../domain/branch/branch-names.js";
import type { PullRequestRef } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { commitKey, type RunMemo, specKey } from "./run-memo.js";
import { readBranches, readOpenPull } from "./run-snapshot.js";

/** A run's branches (name → head) and its open PR: what people may change, beside what swarm writes. */
export type Whereabouts = { branches: Record<string, string>; pullRequest: PullRequestRef | null };

/**
 * The run's branches and open PR, without asking GitHub while the memo holds them. The memo keeps:
 * - `where`, the last reading from GitHub;
 * - over it, what swarm itself pushed since (`head:<branch>`) and its PR as swarm last ensured it (`pull`);
 * - the pushes swarm said it was about to make (`own:<branch>:<sha>`, see `notePushing`);
 * - what webhooks said moved (`seen:<branch>:<sha>`, `seen-pull:<number>:<open|closed>`), swarm's own
 *   pushes among them.
 * While every move seen agrees with the reading and what lies over it, nothing is read. One that does not (a
 * person's push or close, a bot's fix-up commit, a move whose note is not in yet) makes the reader ask
 * GitHub, and the reading replaces what was seen. So a webhook never races swarm's own note of a push: it
 * is compared when the run is next read.
 */
export async function readWhereabouts(
  ctx: GitHubContext,
  spec: number,
  fields: Record<string, string>,
  recheck = false,
): Promise<Whereabouts> {
  const view = knownWhereabouts(fields);
  if (view && !recheck) return view;
  const fresh = await readFromGitHub(ctx);
  await replaceWhereabouts(ctx.memo, spec, fields, fresh);
  return fresh;

  async function readFromGitHub(c: GitHubContext): Promise<Whereabouts> {
    const branches = await readBranches(c, spec);
    return { branches, pullRequest: await readOpenPull(c, branches) };
  }
}

/** The last reading from GitHub the memo keeps, if any. */
const readingOf = (fields: Record<string, string>): Whereabouts | null =>
  fields.where ? (JSON.parse(fields.where) as Whereabouts) : null;

/** What the memo holds of the run's branches and PR, unless a move seen since disagrees with it. */
function knownWhereabouts(fields: Record<string, string>): Whereabouts | null {
  const reading = readingOf(fields);
  const view = reading && viewOf(reading, fields);
  return view && agreesWithSeen(view, fields) ? view : null;
}

/** The run's open PR as the memo holds it, unless a move seen since disagrees. */
export const knownPull = (fields: Record<string, string>): PullRequestRef | null =>
  knownWhereabouts(fields)?.pullRequest ?? null;

/**
 * Whether the memo knows the run has no open PR: its reading and swarm's own PR say none, and no PR event
 * seen since says otherwise (a branch's push is no news about its PR).
 */
export function knownNoPull(fields: Record<string, string>): boolean {
  const reading = readingOf(fields);
  if (!reading || reading.pullRequest || fields.pull) return false;
  return !Object.keys(fields).some((f) => /^seen-pull:\d+:open$/.test(f));
}

/**
 * The reading with swarm's own pushes and PR laid over it, then any push of swarm's since the reading that
 * a webhook says landed, newer than the branch's head here (its note after the push not in yet): the PR
 * follows its branch. Pushes of one branch are a job apart, so the times of their notes order them.
 */
function viewOf(reading: Whereabouts, fields: Record<string, string>): Whereabouts {
  const branches = { ...reading.branches };
  const noted: Record<string, number> = {};
  const ownAt = (branch: string, sha: string) => Number(fields[`own:${branch}:${sha}`] ?? 0);
  for (const [f, sha] of Object.entries(fields))
    if (f.startsWith("head:")) {
      branches[f.slice(5)] = sha;
      noted[f.slice(5)] = ownAt(f.slice(5), sha);
    }
  for (const f of Object.keys(fields)) {
    const [, name = "", sha = ""] = /^seen:(.+):([0-9a-f]+)$/.exec(f) ?? [];
    const at = ownAt(name, sha);
    if (at > (noted[name] ?? 0)) {
      branches[name] = sha;
      noted[name] = at;
    }
  }
  const pull = fields.pull ? (JSON.parse(fields.pull) as PullRequestRef) : reading.pullRequest;
  const head = branches[findIntegrationBranch(Object.keys(branches))];
  return { branches, pullRequest: pull && head ? { ...pull, headSha: head } : pull };
}

function agreesWithSeen(view: Whereabouts, fields: Record<string, string>): boolean {
  return Object.keys(fields).every((f) => {
    const branch = /^seen:(.+):([0-9a-f]*)$/.exec(f);
    if (branch) {
      const [, name = "", sha = ""] = branch;
      // swarm's own push since the reading is no news (a later one of swarm's replaced it, or the view
      // holds it already). One from before the reading is: a person may have pushed that commit back.
      if (sha !== "" && fields[`own:${name}:${sha}`]) return true;
      return sha === "" ? !(name in view.branches) : view.branches[name] === sha;
    }
    const pull = /^seen-pull:(\d+):(open|closed)$/.exec(f);
    if (pull) {
      const mine = view.pullRequest?.number === Number(pull[1]);
      return pull[2] === "open" ? mine : !mine;
    }
    return true;
  });
}

/**
 * What GitHub said replaces the memo's reading, what lay over it and the moves seen before it was read (a
 * move seen since stays, to be compared at the next read).
 */
export async function replaceWhereabouts(
  memo: RunMemo,
  spec: number,
  before: Record<string, string>,
  reading: Whereabouts,
): Promise<void> {
  // Only what still holds the value read before: a push noted meanwhile (the same field, a newer head)
  // stays. The memo has no compare-and-delete, so this narrows the window to one Redis round trip.
  const now = await memo.read(specKey(spec));
  const dropped = Object.keys(before).filter(
    (f) =>
      (f.startsWith("head:") ||
        f.startsWith("own:") ||
        f === "pull" ||
        f.startsWith("seen:") ||
        f.startsWith("seen-pull:")) &&
      now[f] === before[f],
  );
  await memo.write(specKey(spec), {
    ...Object.fromEntries(dropped.map((f) => [f, null])),
    where: JSON.stringify({ branches: reading.branches, pullRequest: reading.pullRequest }),
  });
}

/**
 * swarm is about to push `branch` at `sha`, a commit it made, noted with the time (a later push of swarm's
 * wins) until the next reading from GitHub. Its webhook is then no news, and the commit's record is marked
 * swarm's (`mine`): its swarm check run is created without asking GitHub for one first.
 */
export async function notePushing(ctx: GitHubContext, spec: number, branch: string, sha: string) {
  await ctx.memo.write(specKey(spec), { [`own:${branch}:${sha}`]: String(Date.now()) });
  await ctx.memo.write(commitKey(sha), { mine: "1" });
}

/** swarm pushed `branch` at `sha`. */
export const notePushed = (ctx: GitHubContext, spec: number, branch: string, sha: string) =>
  ctx.memo.write(specKey(spec), { [`head:${branch}`]: sha });

/**
 * swarm ensured the run's open PR (after pushing its integration branch to `pull.headSha`), with this title
 * and body (kept as a digest: the next ensure with the same text writes nothing).
 */
export const notePull = (
  ctx: GitHubContext,
  spec: number,
  branch: string,
  pull: PullRequestRef,
  text: string,
) =>
  ctx.memo.write(specKey(spec), {
    pull: JSON.stringify(pull),
    "pull-text": text,
    [`head:${branch}`]: pull.headSha,
  });

/** A webhook said a run's branch or PR moved: kept, to be compared with the memo when the run is next read. */
export async function noteSeen(
  memo: RunMemo,
  moved: { spec: number; branch: string; headSha: string; gone: boolean; pullNumber?: number },
): Promise<void> {
  // A PR's event says where its branch is too, so the integration branch is followed even by an App that
  // is not subscribed to `push`.
  const fields =
    moved.pullNumber === undefined
      ? { [`seen:${moved.branch}:${moved.gone ? "" : moved.headSha}`]: "1" }
      : {
          [`seen-pull:${moved.pullNumber}:${moved.gone ? "closed" : "open"}`]: "1",
          ...(moved.gone ? {} : { [`seen:${moved.branch}:${moved.headSha}`]: "1" }),
        };
  await memo.write(specKey(moved.spec), fields);
}
