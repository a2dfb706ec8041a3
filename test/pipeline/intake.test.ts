import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/domain/commands/parse-command.js";
import type { ForgeEvent } from "../../src/pipeline/forge-events.js";
import { decideIntake } from "../../src/pipeline/intake.js";

const base = {
  installationId: 9,
  repo: { owner: "acme", name: "shop.js" },
  sender: { login: "ana", type: "User" },
};
const labeled: ForgeEvent = {
  ...base,
  kind: "issue-labeled",
  issue: { number: 12, title: "Add search", body: "Search." },
  label: "swarm",
};
const comment = (body: string, isPullRequest = false): ForgeEvent => ({
  ...base,
  kind: "comment-created",
  issue: { number: 12, isPullRequest },
  comment: { id: 555, body },
});

describe("decideIntake", () => {
  it("turns a label into a plan job with a deterministic id and a snapshot of the issue", () => {
    expect(decideIntake(labeled)).toEqual({
      enqueue: {
        queue: "plan",
        id: "plan-acme-shop.js-12",
        data: {
          ...base,
          spec: { number: 12, title: "Add search", body: "Search." },
          trigger: { kind: "label", label: "swarm" },
        },
      },
    });
  });

  it("ignores anything a bot does, by the actor's type, whatever its name", () => {
    expect(decideIntake({ ...labeled, sender: { login: "swarm-app[bot]", type: "Bot" } })).toEqual({
      ignore: "sent by a bot (swarm-app[bot])",
    });
    expect(decideIntake({ ...labeled, sender: { login: "friendly-helper", type: "Bot" } })).toEqual({
      ignore: "sent by a bot (friendly-helper)",
    });
  });

  it("shares the plan job's id for /swarm plan, and gives each /swarm replan its own", () => {
    const plan = decideIntake(comment("/swarm plan"));
    const replan = decideIntake(comment("/swarm replan please"));
    expect("enqueue" in plan && plan.enqueue.id).toBe("plan-acme-shop.js-12");
    expect("enqueue" in replan && replan.enqueue.id).toBe("replan-acme-shop.js-12-555");
  });

  it("sends other commands to the command queue, and a plan on a pull request too", () => {
    const status = decideIntake(comment("/swarm status"));
    expect("enqueue" in status && status.enqueue).toMatchObject({
      queue: "command",
      id: "command-acme-shop.js-555",
    });
    const onPr = decideIntake(comment("/swarm plan", true));
    expect("enqueue" in onPr && onPr.enqueue.queue).toBe("command");
  });

  it("ignores comments that are not commands", () => {
    expect(decideIntake(comment("Looks good! /swarm is great"))).toEqual({ ignore: "not a /swarm command" });
  });
});

describe("parseCommand", () => {
  it.each([
    ["/swarm plan", { verb: "plan", args: "" }],
    [
      "/swarm revise Use a Map here.\nAnd add a test.",
      { verb: "revise", args: "Use a Map here.\nAnd add a test." },
    ],
    ["  /SWARM Status", { verb: "status", args: "" }],
    ["/swarm", { verb: "help", args: "" }],
    ["/swarm frobnicate", { verb: "unknown", word: "frobnicate" }],
  ])("reads %j", (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  it("does not see a command hidden in an HTML comment or after other text", () => {
    expect(parseCommand("<!-- /swarm cancel -->Nice work")).toBeNull();
    expect(parseCommand("Please run /swarm cancel")).toBeNull();
  });
});

describe("decideIntake: checks and reviews", () => {
  const checks = (source: "check_run" | "check_suite", id: number): ForgeEvent => ({
    ...base,
    sender: { login: "github-actions[bot]", type: "Bot" },
    kind: "checks-completed",
    source,
    id,
    headSha: "a".repeat(40),
    headBranch: "swarm/12-add-search/integration",
    conclusion: "failure",
    pullNumbers: [30],
  });

  it("queues one review job per finished check, although CI apps are bots", () => {
    const first = decideIntake(checks("check_run", 1));
    const suite = decideIntake(checks("check_suite", 2));
    expect(first).toEqual({
      enqueue: {
        queue: "review",
        id: `review-acme-shop.js-${"a".repeat(40)}-check_run-1`,
        data: {
          installationId: 9,
          repo: base.repo,
          headSha: "a".repeat(40),
          headBranch: "swarm/12-add-search/integration",
          pullNumbers: [30],
        },
      },
    });
    expect("enqueue" in suite && suite.enqueue.id).not.toBe("enqueue" in first && first.enqueue.id);
    // A redelivery of the same completion is the same job.
    expect(decideIntake(checks("check_run", 1))).toEqual(first);
  });

  it("turns /swarm revise on a line of the diff into a command that knows the line", () => {
    const decision = decideIntake({
      ...base,
      kind: "review-comment-created",
      pullNumber: 30,
      comment: { id: 77, body: "/swarm revise handle empty lists", path: "src/stats.js", line: 4 },
    });
    expect(decision).toMatchObject({
      enqueue: {
        queue: "command",
        id: "command-acme-shop.js-line-77",
        data: {
          issue: { number: 30, isPullRequest: true },
          commentId: 77,
          command: { verb: "revise", args: "handle empty lists" },
          at: { kind: "review-line", path: "src/stats.js", line: 4 },
        },
      },
    });
    expect(
      decideIntake({
        ...base,
        kind: "review-comment-created",
        pullNumber: 30,
        comment: { id: 78, body: "nit: naming", path: "src/stats.js", line: 4 },
      }),
    ).toEqual({ ignore: "not a /swarm command" });
  });

  it("counts a review that requests changes as /swarm revise, and ignores other reviews and bots", () => {
    const review = (state: string, sender = base.sender): ForgeEvent => ({
      ...base,
      sender,
      kind: "review-submitted",
      pullNumber: 30,
      review: { id: 91, body: "Please handle empty lists.", state },
    });
    expect(decideIntake(review("changes_requested"))).toMatchObject({
      enqueue: {
        queue: "command",
        id: "command-acme-shop.js-review-91",
        data: {
          commentId: 91,
          command: { verb: "revise", args: "Please handle empty lists." },
          at: { kind: "review" },
        },
      },
    });
    expect(decideIntake(review("approved"))).toEqual({ ignore: "a review that is approved" });
    expect(decideIntake(review("changes_requested", { login: "swarm-app[bot]", type: "Bot" }))).toEqual({
      ignore: "sent by a bot (swarm-app[bot])",
    });
  });
});
