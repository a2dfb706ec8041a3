// npm run bench:copy — time to prepare a node's working copy over smart HTTP from the fake GitHub, with a
// full clone each time versus borrowing objects from the worker's mirror (what `swarm worker` does).
// Both run in one process, interleaved, since these machines are noisy.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installationToken } from "../src/forge/github/create-octokit.js";
import { prepareNodeCopy } from "../src/workspace/git-workspace.js";
import { startFakeGitHub } from "../test/support/fake-github/server.js";
import { octokitFor } from "../test/support/github-rig.js";

const FILES = 1500;
const ROUNDS = 8;
const fake = await startFakeGitHub();
const files: Record<string, string> = {};
// Incompressible content, so the transfer is not flattered by zlib: ~6 MB in all.
for (let i = 0; i < FILES; i++) files[`src/m${i}.ts`] = randomBytes(3000).toString("base64");
const repo = fake.createRepo("acme", "copy", files);
const url = fake.httpCloneUrl(repo);
const auth = { token: await installationToken(octokitFor(fake)) };
const mirrorsDir = mkdtempSync(join(tmpdir(), "swarm-bench-mirrors-"));

const copy = async (mirrors?: string) => {
  const start = performance.now();
  await prepareNodeCopy({
    remote: url,
    auth,
    base: "main",
    branch: "swarm/1-bench/n",
    dependencyBranches: [],
    ...(mirrors ? { mirrorsDir: mirrors } : {}),
  });
  return performance.now() - start;
};

const firstMirrored = await copy(mirrorsDir); // creates the mirror: a one-off per worker and repository
const full: number[] = [];
const mirrored: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  full.push(await copy());
  mirrored.push(await copy(mirrorsDir));
}
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const figures = {
  files: FILES,
  rounds: ROUNDS,
  fullCloneP50Ms: Math.round(p50(full)),
  mirroredP50Ms: Math.round(p50(mirrored)),
  firstMirroredMs: Math.round(firstMirrored),
  ratio: Number((p50(mirrored) / p50(full)).toFixed(2)),
};
console.log(`node copy of a ${FILES}-file repository over HTTP, p50 of ${ROUNDS}:`);
console.log(`  full clone     ${figures.fullCloneP50Ms} ms`);
console.log(`  with a mirror  ${figures.mirroredP50Ms} ms  (${figures.ratio}× the full clone)`);
console.log(`  first use (creates the mirror) ${figures.firstMirroredMs} ms`);
console.log(JSON.stringify(figures));
await fake.stop();
