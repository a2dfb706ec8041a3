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
