import { expect, it } from "vitest";
import { handle } from "../src/app.js";

it("answers home and not found", () => {
  expect(handle("/")).toBe("home");
  expect(handle("/nowhere")).toBe("not found");
});
