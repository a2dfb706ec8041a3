import { afterEach, expect, it } from "vitest";
import { type ChaosRig, startChaosRig } from "../support/chaos-rig.js";

// The reference for the chaos suite: the same run with no fault, timed like the others.
let rig: ChaosRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

it("no fault: the diamond goes green through one revision of stats", { timeout: 180_000 }, async () => {
  rig = await startChaosRig();
  const started = Date.now();
  rig.label();
  await rig.green();
  console.log(`chaos: no fault reached green in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(rig.invariants()).toEqual([]);
  expect(rig.github.violations).toEqual([]);
});
