import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { findIntegrationBranch } from "../../domain/branch/branch-names.js";
import { boundLog } from "../../domain/checks/bound-log.js";
import type { CheckResult, Forge, LoadedRun, PullRequestView } from "../../pipeline/forge.js";
import { type LocalState, localStateFile } from "./local-state.js";

function git(dir: string, ...args: string[]): Promise<string> {
  return new Promise((done, fail) =>
    execFile("git", args, { cwd: dir, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      error ? fail(new Error(`git ${args[0]} failed: ${stderr.trim() || error.message}`)) : done(stdout),
    ),
  );
}

/**
 * The Forge over a local git repository, for the CLI: branches live in the repository itself; the spec,
 * comments, node records, the PR, reviews and check runs live in a JSON state file. The person at the
 * terminal owns the repository, so every permission is admin. Every write is keyed, as on GitHub.
 */
export function createLocalForge(options: { repoDir: string; stateFile: string }): Forge {
  const repoDir = resolve(options.repoDir);
  const file = localStateFile(options.stateFile);
  const issueOf = (s: LocalState, number: number) => {
    const issue = s.issues.find((i) => i.number === number);
    if (!issue) throw new Error(`the local forge has no issue #${number}`);
    return issue;
  };
  const newId = (s: LocalState) => s.nextId++;
  // Check logs are kept beside the state file, one file per check run, so the reviewer can read them whole.
  const logFile = (checkRunId: number) => join(dirname(options.stateFile), "check-logs", `${checkRunId}.log`);
  const url = (kind: string, n: number) => `local:${kind}/${n}`;
  const pullView = async (p: LocalState["pulls"][number]): Promise<PullRequestView> => ({
    number: p.number,
    url: url("pull", p.number),
    headRef: p.head,
    headSha: (await git(repoDir, "rev-parse", `refs/heads/${p.head}`)).trim(),
    draft: p.draft,
    state: p.state,
  });

  return {
    async readIssue(number) {
      const i = issueOf(file.read(), number);
      return { number, title: i.title, body: i.body, state: i.state, author: { login: "you", type: "User" } };
    },
    async defaultBranch() {
      return (await git(repoDir, "symbolic-ref", "--short", "HEAD")).trim();
    },
    async cloneUrl() {
      return repoDir;
    },
    async listFiles(ref) {
      return (await git(repoDir, "ls-tree", "-r", "--name-only", ref)).split("\n").filter(Boolean);
    },
    async ensureComment(issueNumber, key, body) {
      return file.update((s) => {
        const issue = issueOf(s, issueNumber);
        let comment = issue.comments.find((c) => c.key === key);
        if (!comment) {
          comment = { id: newId(s), key, body };
          issue.comments.push(comment);
        } else comment.body = body;
        return { id: comment.id, url: url("comment", comment.id) };
      });
    },
    async amendComment(issueNumber, key, body) {
      file.update((s) => {
        const comment = issueOf(s, issueNumber).comments.find((c) => c.key === key);
        if (comment) comment.body = body;
      });
    },
    async ensureDashboardComment(spec, body, meta) {
      const { id } = await this.ensureComment(spec, "dashboard", body);
      file.update((s) => {
        s.dashboards = [...s.dashboards.filter((d) => d.spec !== spec), { spec, commentId: id, meta }];
      });
      return { id, url: url("comment", id) };
    },
    async settleDashboard() {}, // it writes every step at once
    async notePush() {}, // it reads its branches from the repository itself
    async ensureNodeIssue(spec, node, status, branch) {
      return file.update((s) => {
        let record = s.nodes.find((n) => n.spec === spec && n.node.id === node.id);
        if (!record) {
          const number = newId(s);
          s.issues.push({
            number,
            title: node.title,
            body: node.goal,
            state: "open",
            comments: [],
            reactions: [],
          });
          record = { spec, issue: number, node, status, branch, blockedBy: [] };
          s.nodes.push(record);
        }
        return { number: record.issue, id: record.issue, url: url("issue", record.issue) };
      });
    },
    async linkDependency(blocked, blocking) {
      file.update((s) => {
        const record = s.nodes.find((n) => n.issue === blocked.number);
        if (record && !record.blockedBy.includes(blocking.number)) record.blockedBy.push(blocking.number);
      });
    },
    async unlinkDependency(blocked, blocking) {
      file.update((s) => {
        const record = s.nodes.find((n) => n.issue === blocked.number);
        if (record) record.blockedBy = record.blockedBy.filter((n) => n !== blocking.number);
      });
    },
    async setNodeStatus(issue, spec, node, status, branch, result) {
      file.update((s) => {
        const record = s.nodes.find((n) => n.spec === spec && n.issue === issue.number);
        if (!record) return;
        Object.assign(record, { node, status, branch });
        if (result?.summary) record.summary = result.summary;
        else delete record.summary;
        if (result?.handoff) record.handoff = result.handoff;
        else delete record.handoff;
        if (result?.revision && status !== "done") record.revision = result.revision;
        else delete record.revision;
        if (result?.report && status === "done") record.report = result.report;
        else delete record.report;
        issueOf(s, issue.number).state = status === "done" || status === "cancelled" ? "closed" : "open";
      });
    },
    async readPullRequest(number) {
      const p = file.read().pulls.find((x) => x.number === number);
      if (!p) throw new Error(`the local forge has no pull request #${number}`);
      return pullView(p);
    },
    async markReadyForReview({ number }) {
      file.update((s) => {
        const p = s.pulls.find((x) => x.number === number);
        if (p) p.draft = false;
      });
    },
    async requestReviewers(number, reviewers) {
      file.update((s) => {
        const p = s.pulls.find((x) => x.number === number);
        if (p) p.reviewers = [...new Set([...p.reviewers, ...reviewers])];
      });
    },
    async listReviewComments(pullNumber, reviewId) {
      return (
        file
          .read()
          .pulls.find((p) => p.number === pullNumber)
          ?.reviews.find((r) => r.id === reviewId)
          ?.comments.map(({ id, path, line, body }) => ({ ...(id ? { id } : {}), path, line, body })) ?? []
      );
    },
    async ensurePullRequest(input) {
      const number = file.update((s) => {
        let p = s.pulls.find((x) => x.head === input.head && x.state === "open");
        if (!p) {
          const n = newId(s);
          s.issues.push({
            number: n,
            title: input.title,
            body: input.body,
            state: "open",
            comments: [],
            reactions: [],
          });
          p = {
            number: n,
            head: input.head,
            base: input.base,
            title: input.title,
            body: input.body,
            draft: input.draft,
            state: "open",
            reviewers: [],
            reviews: [],
          };
          s.pulls.push(p);
        } else Object.assign(p, { title: input.title, body: input.body });
        return p.number;
      });
      return this.readPullRequest(number);
    },
    async postReview(input) {
      return file.update((s) => {
        const p = s.pulls.find((x) => x.number === input.pullNumber);
        if (!p) throw new Error(`the local forge has no pull request #${input.pullNumber}`);
        const known = p.reviews.find((r) => r.key === input.key);
        if (known) return { id: known.id, commentIds: known.comments.map((c) => c.id ?? null) };
        const review = {
          id: newId(s),
          key: input.key,
          commitSha: input.commitSha,
          body: input.body,
          comments: input.comments.map((c) => ({ path: c.path, line: c.line, body: c.body, id: newId(s) })),
        };
        p.reviews.push(review);
        return { id: review.id, commentIds: review.comments.map((c) => c.id) };
      });
    },
    // A thread here is the line comment itself: its replies and resolution are kept with it.
    async closeReviewThreads(pullNumber, closings) {
      return file.update((s) => {
        const comments = (s.pulls.find((x) => x.number === pullNumber)?.reviews ?? []).flatMap(
          (r) => r.comments,
        );
        const missing: number[] = [];
        for (const closing of closings) {
          const comment = comments.find((c) => c.id === closing.commentId);
          if (!comment) {
            missing.push(closing.commentId);
            continue;
          }
          comment.replies ??= [];
          if (comment.replies.some((r) => r.key === closing.key)) continue;
          comment.replies.push({ key: closing.key, body: closing.body });
          comment.resolved = true;
        }
        return { missing };
      });
    },
    async upsertCheckRun(input) {
      const saved = file.update((s) => {
        let run = s.checkRuns.find((r) => r.name === input.name && r.headSha === input.headSha);
        if (!run) {
          run = {
            id: newId(s),
            name: input.name,
            headSha: input.headSha,
            status: "",
            conclusion: null,
            title: "",
            summary: "",
            annotations: [],
          };
          s.checkRuns.push(run);
        }
        Object.assign(run, {
          status: input.status,
          conclusion: input.conclusion ?? null,
          title: input.title,
          summary: input.summary,
          annotations: [...(input.annotations ?? [])],
        });
        return { id: run.id };
      });
      if (input.log !== undefined) {
        mkdirSync(dirname(logFile(saved.id)), { recursive: true });
        writeFileSync(logFile(saved.id), boundLog(input.log));
      }
      return saved;
    },
    async listCheckResults(ref) {
      const sha = (await git(repoDir, "rev-parse", ref)).trim();
      return file
        .read()
        .checkRuns.filter((r) => r.headSha === sha)
        .map((r): CheckResult => ({ ...r, logTail: null }));
    },
    // Local checks are the sandbox's own runs of the repository's commands: nothing to re-run elsewhere,
    // and a run again on the same commit and sandbox shows the same result.
    async rerunFailedJobs(checks) {
      return {
        rerun: [],
        notRerun: checks.map((c) => ({ name: c.name, why: "local checks are not re-run" })),
      };
    },
    async readFile(ref, path) {
      return git(repoDir, "show", `${ref}:${path}`).catch(() => null);
    },
    async readCheckLog(checkRunId) {
      try {
        return readFileSync(logFile(checkRunId), "utf8");
      } catch {
        return null;
      }
    },
    async getPermission() {
      return "admin";
    },
    async addReaction(target, content) {
      if (!("issueNumber" in target)) return;
      file.update((s) => {
        const issue = issueOf(s, target.issueNumber);
        if (!issue.reactions.includes(content)) issue.reactions.push(content);
      });
    },
    async loadRun(spec): Promise<LoadedRun | null> {
      const s = file.read();
      const meta = s.dashboards.find((d) => d.spec === spec)?.meta;
      if (!meta) return null;
      const records = s.nodes.filter((n) => n.spec === spec);
      // The dashboard's plan, once it has one: nodes of an earlier plan that a replan dropped are not the run's.
      const order = [
        ...meta.nodeOrder.filter((id) => records.some((r) => r.node.id === id)),
        ...(meta.nodeOrder.length > 0
          ? []
          : records.map((r) => r.node.id).filter((id) => !meta.nodeOrder.includes(id))),
      ];
      const byId = new Map(records.map((r) => [r.node.id, r]));
      const refs = (
        await git(
          repoDir,
          "for-each-ref",
          "--format=%(refname:short) %(objectname)",
          `refs/heads/swarm/${spec}-*/*`,
        )
      )
        .split("\n")
        .filter(Boolean);
      const branches = Object.fromEntries(refs.map((line) => line.split(" ") as [string, string]));
      const integration = findIntegrationBranch(Object.keys(branches));
      const pull = integration
        ? s.pulls.find((p) => p.head === integration && p.state === "open")
        : undefined;
      const view = pull ? await pullView(pull) : null;
      return {
        spec,
        meta,
        plan: {
          summary: meta.summary,
          nodes: order.map((id) => byId.get(id)?.node).filter((n) => n !== undefined),
          ...(meta.interfaces?.length ? { interfaces: meta.interfaces } : {}),
        },
        states: Object.fromEntries(order.map((id) => [id, byId.get(id)?.status ?? "pending"])),
        nodeIssues: Object.fromEntries(
          order.map((id) => {
            const n = byId.get(id)?.issue ?? 0;
            return [id, { number: n, id: n, url: url("issue", n) }];
          }),
        ),
        summaries: Object.fromEntries(records.flatMap((r) => (r.summary ? [[r.node.id, r.summary]] : []))),
        handoffs: Object.fromEntries(records.flatMap((r) => (r.handoff ? [[r.node.id, r.handoff]] : []))),
        revisions: Object.fromEntries(records.flatMap((r) => (r.revision ? [[r.node.id, r.revision]] : []))),
        nodeBranches: Object.fromEntries(records.flatMap((r) => (r.branch ? [[r.node.id, r.branch]] : []))),
        branches,
        pullRequest: view
          ? { number: view.number, url: view.url, headSha: view.headSha, draft: view.draft }
          : null,
      };
    },
  };
}

/**
 * Opens the spec as an issue of the state (or finds it): the CLI's starting point. A fresh state numbers it
 * `firstNumber`, so its branches do not collide with those earlier runs left in the repository.
 */
export function openLocalSpec(stateFile: string, title: string, body: string, firstNumber = 1): number {
  return localStateFile(stateFile).update((s) => {
    const known = s.issues.find((i) => i.title === title && i.body === body);
    if (known) return known.number;
    s.nextId = Math.max(s.nextId, firstNumber);

    const number = s.nextId++;
    s.issues.push({ number, title, body, state: "open", comments: [], reactions: [] });
    return number;
  });
}
