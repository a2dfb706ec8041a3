// A unit-conversion library as a target repository, and a scripted model that plans it in six nodes
// (length, mass and time in parallel; speed and density on them; index last) and codes each node as an
// agent does: it looks around with the shell, reads the helper it builds on, writes its file, runs the
// checks and finishes. `mass` gets its factor wrong first: the checks' failure shows it, and the coder reads
// the failure, fixes the line and runs the checks again. bench:cost and the shared-prefix test run it.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import type { Plan } from "../../src/domain/plan/plan.js";
import { toolResults } from "./agent-script.js";
import { call } from "./fake-anthropic/agent-calls.js";
import { reply } from "./fake-anthropic/script.js";
import { node } from "./plans.js";
import { gitIn } from "./user-repo.js";

const UNITS: Record<string, { fn: string; base: string; table: Record<string, number> }> = {
  length: { fn: "toMeters", base: "m", table: { m: 1, km: 1000, cm: 0.01, mi: 1609.344 } },
  mass: { fn: "toKilograms", base: "kg", table: { kg: 1, g: 0.001, lb: 0.45359237 } },
  time: { fn: "toSeconds", base: "s", table: { s: 1, min: 60, h: 3600 } },
};

export const unitsPlan: Plan = {
  summary: "length, mass and time are independent; speed and density build on them; index exports all.",
  nodes: [
    ...Object.entries(UNITS).map(([id, u]) =>
      node(id, [], [`src/${id}.js`], {
        title: `Convert ${id}`,
        goal: `${u.fn}(value, unit) converts a ${id} in ${Object.keys(u.table).join(", ")} to ${u.base}; an unknown unit throws.`,
        acceptance: [`${u.fn}(1, "${Object.keys(u.table)[1]}") is ${Object.values(u.table)[1]}`],
        size: "S",
      }),
    ),
    node("speed", ["length", "time"], ["src/speed.js"], {
      title: "Speed",
      goal: "speed(distance, distanceUnit, duration, durationUnit) in metres a second.",
      acceptance: ['speed(1, "km", 1, "min") is 1000 / 60'],
      size: "S",
    }),
    node("density", ["mass", "length"], ["src/density.js"], {
      title: "Density",
      goal: "density(mass, massUnit, side, lengthUnit) of a cube, in kg a cubic metre.",
      acceptance: ['density(1, "kg", 10, "cm") is 1000'],
      size: "S",
    }),
    node("index", ["speed", "density"], ["src/index.js"], {
      title: "Entry point",
      goal: "src/index.js re-exports every conversion.",
      acceptance: ["every function is exported from src/index.js"],
      size: "S",
      role: "integrate",
    }),
  ],
  interfaces: Object.entries(UNITS).map(([id, u]) => ({
    name: u.fn,
    kind: "function" as const,
    definition: `export function ${u.fn}(value: number, unit: string): number`,
    provider: id,
    users: [id === "time" ? "speed" : id === "mass" ? "density" : "speed"],
  })),
};

const CHECK = `// Each module that exists is checked; one not written yet is skipped.
const cases = {
  length: (m) => m.toMeters(3, "km") === 3000,
  mass: (m) => m.toKilograms(2000, "g") === 2,
  time: (m) => m.toSeconds(2, "min") === 120,
  speed: (m) => Math.abs(m.speed(1, "km", 1, "min") - 1000 / 60) < 1e-9,
  density: (m) => Math.abs(m.density(1, "kg", 10, "cm") - 1000) < 1e-6,
  index: (m) => ["toMeters", "toKilograms", "toSeconds", "speed", "density"].every((f) => typeof m[f] === "function"),
};
let failed = 0;
for (const [name, ok] of Object.entries(cases)) {
  let mod;
  try {
    mod = await import(\`../src/\${name}.js\`);
  } catch (error) {
    if (error.code === "ERR_MODULE_NOT_FOUND" && error.message.includes(\`src/\${name}.js\`)) continue;
    throw error;
  }
  if (!ok(mod)) {
    failed++;
    console.log(\`test/check.mjs:1:1: error: the \${name} case failed\`);
  }
}
if (failed) process.exit(1);
console.log("all checks pass");
`;

const CONVERT = `// Shared by every conversion: a value in a unit of a table, in the table's base unit.
export function convert(table, value, unit) {
  const factor = table[unit];
  if (factor === undefined) throw new Error(\`unknown unit: \${unit}\`);
  return value * factor;
}
`;

/** The repository: the helper, the checks, conventions for agents, and the rest of a small project. */
export function unitsRepoFiles(config = ""): Record<string, string> {
  const docs = Object.fromEntries(
    Array.from({ length: 24 }, (_, i) => [
      `docs/notes/note-${String(i).padStart(2, "0")}.md`,
      `# Note ${i}\n\nHow conversions round, and why (${i}).\n`,
    ]),
  );
  const legacy = Object.fromEntries(
    Array.from({ length: 16 }, (_, i) => [
      `legacy/v1/unit-${i}.js`,
      `// The first version's unit ${i}, kept for reference.\nexport const unit${i} = ${i};\n`,
    ]),
  );
  return {
    "package.json": '{ "name": "units", "private": true, "type": "module" }\n',
    "README.md": `# units\n\nConversions between units of length, mass and time, and what is made of them.\n\n${"Every function takes a value and a unit name, and answers in SI base units. ".repeat(12)}\n`,
    "AGENTS.md": `# For agents\n\n- ES modules, named exports, no dependencies.\n- Every conversion goes through \`convert\` in src/convert.js.\n- ${"Keep functions small and pure; name units as the tables do. ".repeat(6)}\n`,
    "src/convert.js": CONVERT,
    "test/check.mjs": CHECK,
    ".github/swarm.yml": `validation:\n  commands: ["node test/check.mjs"]\nlimits:\n  maxParallelNodes: 3\n${config}`,
    ...docs,
    ...legacy,
  };
}

/** The repository in a fresh folder, committed on main. */
export function makeUnitsRepo(config = ""): string {
  const dir = join(mkdtempSync(join(tmpdir(), "swarm-units-")), "units");
  for (const [path, text] of Object.entries(unitsRepoFiles(config))) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  gitIn(dir, "init", "-q", "-b", "main");
  gitIn(dir, "add", "-A");
  gitIn(dir, "commit", "-qm", "start");
  return dir;
}

export const UNITS_SPEC = `# Unit conversions

Add conversions of length (m, km, cm, mi), mass (kg, g, lb) and time (s, min, h) to SI base units, and
on them speed in metres a second and the density of a cube in kg a cubic metre. Export them all from
src/index.js. An unknown unit throws an Error that names it.

## Acceptance criteria

- toMeters(3, "km") is 3000
- toKilograms(2000, "g") is 2
- speed(1, "km", 1, "min") is 1000 / 60
- density(1, "kg", 10, "cm") is 1000
`;

function fileOf(id: string, wrongMass: boolean): string {
  const unit = UNITS[id];
  if (unit) {
    const table = Object.entries(unit.table)
      .map(([k, v]) => `${k}: ${id === "mass" && wrongMass && k === "g" ? 1000 : v}`)
      .join(", ");
    return `import { convert } from "./convert.js";\n\nconst TABLE = { ${table} };\n\nexport function ${unit.fn}(value, unit) {\n  return convert(TABLE, value, unit);\n}\n`;
  }
  if (id === "speed")
    return 'import { toMeters } from "./length.js";\nimport { toSeconds } from "./time.js";\n\nexport function speed(distance, distanceUnit, duration, durationUnit) {\n  return toMeters(distance, distanceUnit) / toSeconds(duration, durationUnit);\n}\n';
  if (id === "density")
    return 'import { toMeters } from "./length.js";\nimport { toKilograms } from "./mass.js";\n\nexport function density(mass, massUnit, side, lengthUnit) {\n  return toKilograms(mass, massUnit) / toMeters(side, lengthUnit) ** 3;\n}\n';
  return 'export * from "./length.js";\nexport * from "./mass.js";\nexport * from "./time.js";\nexport * from "./speed.js";\nexport * from "./density.js";\n';
}

/** The planner, the coders and the reviewer of the units library, scripted; `latencyMs` on every answer. */
export function unitsModel(latencyMs = 0) {
  return (req: MessageCreateParams) => {
    const extra = { latencyMs };
    const system = JSON.stringify(req.system);
    if (system.includes("You are the planner of swarm")) return reply.json(unitsPlan, extra);
    if (system.includes("You are the reviewer of swarm"))
      return reply.json(
        { summary: "The checks pass and the change does what the spec asks.", findings: [] },
        extra,
      );
    if (!system.includes("You are a coder of swarm")) return reply.text("ready", extra);
    const first = JSON.stringify(req.messages[0]);
    const id = /Your node: `([a-z0-9-]+)`/.exec(first)?.[1];
    // The warm-up call has no node: it only writes the cache.
    if (!id) return reply.text("ready", extra);
    const file = `src/${id}.js`;
    const results = toolResults(req);
    const last = results.at(-1) ?? "";
    const turn = req.messages.filter((m) => m.role === "assistant").length;
    const builds = unitsPlan.nodes.find((n) => n.id === id)?.dependsOn ?? [];
    const steps = [
      () => call.bash("ls src test && sed -n 1,40p AGENTS.md", extra),
      () => call.view("src/convert.js", undefined, extra),
      () => call.bash(`grep -n "${id}" test/check.mjs${builds.map((b) => ` src/${b}.js`).join("")}`, extra),
      () => call.create(file, fileOf(id, id === "mass"), extra),
      () => call.runChecks(extra),
    ];
    if (turn < steps.length) return steps[turn]?.() ?? reply.text("Done.", extra);
    // After the checks: its own case failing, it reads its file, fixes the wrong line and runs them again.
    const previous = req.messages.at(-2)?.content;
    const lastCall = Array.isArray(previous)
      ? previous.flatMap((b) => (b.type === "tool_use" ? [b.name] : [])).at(-1)
      : undefined;
    if (last.includes("End your turn now")) return reply.text("Done.", extra);
    if (last.includes(`the ${id} case failed`)) return call.bash(`sed -n 1,10p ${file}`, extra);
    if (last.includes("g: 1000")) return call.replace(file, "g: 1000", "g: 0.001", extra);
    if (lastCall === "str_replace_based_edit_tool" && turn < 12) return call.runChecks(extra);
    return call.finish(`Wrote ${file}; the checks pass.`, `${id} is exported from ${file}.`, extra);
  };
}
