import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { RepoConfigSchema } from "../../src/domain/config/repo-config.js";
import { validatePlan } from "../../src/domain/dag/validate-plan.js";
import { PlanSchema } from "../../src/domain/plan/plan.js";
import { generateObject } from "../../src/model/generate-object.js";
import { buildPrompt } from "../../src/model/prompt/build-prompt.js";
import { StructuredOutputError } from "../../src/model/structured-output-error.js";
import { inOrder, reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { modelClientFor } from "../support/model-rig.js";
import { node, plan } from "../support/plans.js";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.stop());

const prompt = buildPrompt({
  system: "You plan.",
  context: ["<spec>Add dark mode</spec>"],
  task: "Make the plan.",
});
const Answer = z.object({ title: z.string().min(3), count: z.int().positive() });
const generateAnswer = () =>
  generateObject(modelClientFor(fake).client, {
    caller: { role: "planner" },
    what: "answer",
    schema: Answer,
    prompt,
    maxTokens: 500,
  });

describe("generateObject", () => {
  it("sends the zod schema as the output format, without $schema, and returns the parsed object", async () => {
    fake.setModel(inOrder(reply.json({ title: "Dark mode", count: 2 })));
    const result = await generateAnswer();
    expect(result).toMatchObject({ value: { title: "Dark mode", count: 2 }, turns: 1 });
    const format = fake.requests.at(-1)?.body.output_config?.format;
    expect(format?.type).toBe("json_schema");
    expect(format?.schema).not.toHaveProperty("$schema");
    expect(format?.schema).toMatchObject({
      type: "object",
      additionalProperties: false,
      required: ["title", "count"],
    });
  });

  it("repairs a schema-violating reply with one repair turn that names the fields", async () => {
    fake.setModel(
      inOrder(reply.json({ title: "ok", count: -1 }), reply.json({ title: "Dark mode", count: 3 })),
    );
    const result = await generateAnswer();
    expect(result).toMatchObject({ value: { title: "Dark mode", count: 3 }, turns: 2 });
    const repair = fake.requests.at(-1)?.body.messages.at(-1);
    expect(repair?.role).toBe("user");
    expect(repair?.content).toBe(
      "Your answer has these problems:\n- title: Too small: expected string to have >=3 characters\n- count: Too small: expected number to be >0\n\nReply again with the complete, corrected JSON object and nothing else.",
    );
    expect(result.costUsd).toBeCloseTo(
      result.calls.reduce((sum, c) => sum + c.costUsd, 0),
      12,
    );
    expect(result.calls).toHaveLength(2);
  });

  it("fails after N repairs with an error naming the role and the fields", async () => {
    fake.setModel(() => reply.text('{"title": 5'));
    const { client } = modelClientFor(fake);
    const error = await generateObject(client, {
      caller: { role: "reviewer" },
      what: "review",
      schema: Answer,
      prompt,
      maxTokens: 500,
      maxRepairs: 2,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StructuredOutputError);
    const e = error as StructuredOutputError;
    expect(e.problem).toBe("The reviewer's review still had problems after 3 tries.");
    expect(e.details).toEqual([expect.stringMatching(/^the reply is not valid JSON/)]);
    expect(e.decision).toBe("fail-node");
    expect(fake.requests.slice(-3).map((r) => r.body.messages.length)).toEqual([1, 3, 5]);
  });

  it("feeds rules beyond the schema (a plan's DAG rules) into the same repair loop", async () => {
    const cyclic = plan(node("a", ["b"]), node("b", ["a"]));
    const fixed = plan(node("a"), node("b", ["a"]));
    fake.setModel(inOrder(reply.json(cyclic), reply.json(fixed)));
    const { client } = modelClientFor(fake);
    const config = RepoConfigSchema.parse({});
    const result = await generateObject(client, {
      caller: { role: "planner" },
      what: "plan",
      schema: PlanSchema,
      prompt,
      maxTokens: 4000,
      check: (p) => {
        const v = validatePlan(p, config);
        return v.ok ? [] : v.problems.map((x) => x.message);
      },
    });
    expect(result.value.nodes.map((n) => n.dependsOn)).toEqual([[], ["a"]]);
    expect(String(fake.requests.at(-1)?.body.messages.at(-1)?.content)).toContain(
      "Dependencies form a cycle: the cycle is a → b → a",
    );
  });

  it("asks again, shorter, when a reply is cut off at max_tokens, sending the cut turn back as it came", async () => {
    fake.setModel(
      inOrder(
        {
          content: [{ type: "text", text: '{"title": "Dark mode, with a very long' }],
          stopReason: "max_tokens",
        },
        reply.json({ title: "Dark mode", count: 2 }),
      ),
    );
    const { client } = modelClientFor(fake);
    const result = await generateObject(client, {
      caller: { role: "planner" },
      what: "plan",
      schema: Answer,
      prompt,
      maxTokens: 10,
    });
    expect(result).toMatchObject({ value: { title: "Dark mode", count: 2 }, turns: 2 });
    const [, cut, notice] = fake.requests.at(-1)?.body.messages ?? [];
    // The cut turn goes back with its thinking block (the fake refuses it otherwise), then a user turn: no prefill.
    expect(Array.isArray(cut?.content) && cut.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(notice?.content).toContain(
      "your reply reached the output limit of 10 tokens and was cut off before the JSON was complete: write it again, shorter",
    );
  });

  it("says how to raise the limit when every try is cut off", async () => {
    fake.setModel(() => reply.text('{"title": "Da', { stopReason: "max_tokens" }));
    const { client } = modelClientFor(fake);
    const error = (await generateObject(client, {
      caller: { role: "planner" },
      what: "plan",
      schema: Answer,
      prompt,
      maxTokens: 10,
    }).catch((e: unknown) => e)) as StructuredOutputError;
    expect(error).toBeInstanceOf(StructuredOutputError);
    expect(error.problem).toBe("The planner's plan was cut off at 10 output tokens on each of 3 tries.");
    expect(error.fix).toContain("Raise agents.planner.maxOutputTokens in .github/swarm.yml");
  });
});
