// The spec's acceptance check: what CI runs on the merged result.
import { add, createStore } from "../src/store.js";

let failed = 0;
const expectEqual = (actual, expected, what, line) => {
  if (actual === expected) return;
  failed++;
  console.log(
    `test/acceptance.mjs:${line}:1: error: ${what} returned ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
  );
};

const { complete } = await import("../src/complete.js");
const { formatList } = await import("../src/format.js");
const { summary } = await import("../src/summary.js");

const store = createStore();
add(store, "write the spec");
add(store, "review the pull request");
complete(store, 1);
const listed = "[x] write the spec\n[ ] review the pull request";
expectEqual(formatList(store.items), listed, "formatList(items)", 22);
expectEqual(summary(store).split("\n").at(-1), "1 of 2 done", "summary(store)'s last line", 23);
let threw = false;
try {
  complete(store, 99);
} catch {
  threw = true;
}
expectEqual(threw, true, "complete(store, 99) throwing", 30);
if (failed) process.exit(1);
console.log("all acceptance checks pass");
