// The spec's acceptance check: what CI runs on the merged result.
import { describe, expect, it } from "vitest";
import { complete } from "../src/complete.js";
import { formatList } from "../src/format.js";
import { add, createStore } from "../src/store.js";
import { summary } from "../src/summary.js";

function twoItems() {
  const store = createStore();
  add(store, "write the spec");
  add(store, "review the pull request");
  return store;
}

describe("todo-app", () => {
  it("complete marks an item done, and names an unknown id", () => {
    const store = twoItems();
    expect(complete(store, 1).done).toBe(true);
    expect(() => complete(store, 99)).toThrow("99");
  });

  it("formatList marks done items [x] and open ones [ ]", () => {
    const store = twoItems();
    complete(store, 1);
    expect(formatList(store.items)).toBe("[x] write the spec\n[ ] review the pull request");
  });

  it("summary ends with how many are done", () => {
    const store = twoItems();
    complete(store, 1);
    expect(summary(store).split("\n").at(-1)).toBe("1 of 2 done");
  });
});
