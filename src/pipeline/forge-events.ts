// The webhook events swarm acts on, as the pipeline sees them: only what it reads, whatever the forge.

export type Sender = { login: string; type: string };
export type RepoName = { owner: string; name: string };
type Base = { installationId: number; repo: RepoName; sender: Sender };

export type ForgeEvent =
  | (Base & {
      kind: "issue-labeled";
      issue: { number: number; title: string; body: string | null };
      label: string;
    })
  | (Base & {
      kind: "comment-created";
      issue: { number: number; isPullRequest: boolean };
      comment: { id: number; body: string };
    })
  | (Base & {
      kind: "comment-edited";
      issue: { number: number; isPullRequest: boolean };
      comment: { id: number; body: string; updatedAt: string };
      /** The body before the edit, or null when the body did not change. */
      before: string | null;
    })
  | (Base & {
      kind: "review-comment-created";
      pullNumber: number;
      comment: { id: number; body: string; path: string; line: number | null };
    })
  | (Base & {
      kind: "review-submitted";
      pullNumber: number;
      review: { id: number; body: string | null; state: string };
    })
  | (Base & {
      kind: "pull-request";
      action: "opened" | "synchronize" | "reopened" | "closed" | "ready_for_review";
      pull: { number: number; headRef: string; headSha: string; merged: boolean };
    })
  | (Base & {
      kind: "branch-pushed";
      /** The branch (no `refs/heads/`), its new head, and whether the push deleted it. */
      branch: string;
      headSha: string;
      deleted: boolean;
    })
  | (Base & {
      kind: "checks-completed";
      source: "check_run" | "check_suite" | "workflow_run";
      /** The check run's, suite's or workflow run's id: one review job per completion. */
      id: number;

      headSha: string;
      headBranch: string | null;
      conclusion: string | null;
      pullNumbers: number[];
    });

export type ForgeEventKind = ForgeEvent["kind"];
