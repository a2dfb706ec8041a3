import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCsv } from "../src/csv.js";
import { salesByRegion } from "../src/report.js";

test("quoted fields hold commas, quotes and newlines", () => {
  assert.deepEqual(parseCsv('a,"b,c"\n"say ""hi""",d\n'), [
    ["a", "b,c"],
    ['say "hi"', "d"],
  ]);
  assert.deepEqual(parseCsv('x,"two\nlines"\n'), [["x", "two\nlines"]]);
  assert.deepEqual(parseCsv("a,,b\n"), [["a", "", "b"]]);
});

test("the report reads quoted regions", () => {
  assert.deepEqual(salesByRegion('region,amount\n"North, East",10\nSouth,5\n"North, East",2\n'), {
    "North, East": 12,
    South: 5,
  });
});
