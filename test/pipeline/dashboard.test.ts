import { describe, expect, it } from "vitest";
import { RepoConfigSchema } from "../../src/domain/config/repo-config.js";
import { estimatePlan } from "../../src/domain/estimate/estimate-plan.js";
import { coalesceWrites } from "../../src/pipeline/dashboard/coalesce-writes.js";
import { renderDashboard } from "../../src/pipeline/dashboard/render-dashboard.js";
import { node, plan } from "../support/plans.js";

describe("renderDashboard", () => {
  const p = plan(
    node("db"),
    node("api-v2", ["db"], ["src/api.ts"], { title: 'Make "API" <v2> [fast] | `now`' }),
  );

  it("draws the DAG with a style per status, and a table with branches, sub-issues and spend", () => {
    const text = renderDashboard({
      spec: 7,
      status: "coding",
      dryRun: false,
      headline: "Coding 2 nodes.",
      plan: p,
      states: { db: "done", "api-v2": "running" },
      nodeIssues: { db: { number: 8, id: 108, url: "u" } },
      branches: { db: "swarm/7-x/db" },
      ledger: { tokens: 12345, usd: 0.4321, byModel: {}, byNode: { db: { tokens: 12345, usd: 0.4321 } } },
    });
    expect(text).toContain("```mermaid\nflowchart LR\n");
    expect(text).toContain("  n_db --> n_api_v2\n");
    expect(text).toContain("  class n_db done\n  class n_api_v2 running\n");
    expect(text).toMatch(/classDef done fill:#dafbe1/);
    expect(text).toContain("| `db` Node db | implement | 🟢 done | `swarm/7-x/db` | #8 | 12,345 | $0.43 |");
    expect(text).toContain("**1 of 2 nodes done** · 12,345 tokens · $0.43");
  });

  it("names the stage, since when, what is running and what waits, until the run is over", () => {
    const view = {
      spec: 7,
      status: "coding" as const,
      dryRun: false,
      headline: "Coding 2 nodes.",
      plan: plan(node("db"), node("api", ["db"]), node("ui", ["api"])),
      states: { db: "done", api: "running", ui: "pending" } as const,
      nodeIssues: {},
      branches: {},
      ledger: null,
      since: "2026-12-01T12:41:07.000Z",
    };
    expect(renderDashboard(view)).toContain(
      "<sub>Stage: **coding** since 12:41 UTC · running `api` · waiting: `ui`</sub>",
    );
    expect(renderDashboard({ ...view, status: "green" })).not.toContain("Stage:");
  });

  it("shows the plan's estimate under the totals: cost, tokens, time, its basis, and tokens by role", () => {
    const text = renderDashboard({
      spec: 7,
      status: "planned",
      dryRun: true,
      headline: "x",
      plan: p,
      states: {},
      nodeIssues: {},
      branches: {},
      ledger: null,
      estimate: estimatePlan({
        plan: p,
        config: RepoConfigSchema.parse({ limits: { maxParallelNodes: 1 } }),
      }),
    });
    // Two M nodes of the priors (400K–1.5M tokens, 300–1200 s each) one after the other, then the reviews;
    // $: 30K·5.03 + 800K·0.745 + 60K·0.732 per million, and 200K·5.03 + 3M·0.745 + 800K·0.732.
    expect(text).toContain(
      "**Estimate:** $0.79–$3.83 · 890K–4.0M tokens · 12–70 min · based on priors\n<sub>Tokens by role: planner (claude-opus-5-5) 30K–200K · coder (claude-sonnet-5-5) 800K–3.0M · reviewer (claude-sonnet-5-5) 60K–800K</sub>",
    );
  });

  it("escapes model-written titles so they cannot break the Mermaid label or the table", () => {
    const text = renderDashboard({
      spec: 7,
      status: "planned",
      dryRun: true,
      headline: "x",
      plan: p,
      states: {},
      nodeIssues: {},
      branches: {},
      ledger: null,
    });
    const label = /n_api_v2\["([^\n]*)"\]/.exec(text)?.[1] ?? "";
    expect(label).toBe("api-v2 · Make #34;API#34; #60;v2#62; #91;fast#93; #124; #96;now#96;");
    expect(text).toContain('| `api-v2` Make "API" <v2> [fast] \\| `now` |');
  });
});

describe("coalesceWrites", () => {
  it("turns a burst of updates into one write of the latest", async () => {
    const written: number[] = [];
    const writer = coalesceWrites<number>(async (v) => {
      written.push(v);
    }, 30);
    for (let i = 1; i <= 20; i++) writer.update(i);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(written).toEqual([20]);
    writer.update(21);
    await writer.flush();
    expect(written).toEqual([20, 21]);
    expect(writer.writes).toBe(2);
  });
});
