import { expect, it } from "vitest";
import { Scheduler } from "../src/scheduler.js";

it("answers nothing when no job waits", () => {
  expect(new Scheduler().next()).toBeUndefined();
});
