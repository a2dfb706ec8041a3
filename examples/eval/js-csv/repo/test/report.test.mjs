import assert from "node:assert/strict";
import { test } from "node:test";
import { salesByRegion } from "../src/report.js";

test("sums plain rows", () => {
  assert.deepEqual(salesByRegion("region,amount\nSouth,5\nSouth,2\n"), { South: 7 });
});
