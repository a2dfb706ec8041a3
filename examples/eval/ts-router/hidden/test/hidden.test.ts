import { expect, it } from "vitest";
import { handle } from "../src/app.js";
import { matchRoute } from "../src/match.js";

it("matches parameters by name", () => {
  expect(matchRoute("/users/:id/posts/:post", "/users/7/posts/99/")).toEqual({ id: "7", post: "99" });
  expect(matchRoute("/about", "/about")).toEqual({});
});

it("answers null when a segment or the length differs", () => {
  expect(matchRoute("/users/:id", "/teams/7")).toBeNull();
  expect(matchRoute("/users/:id", "/users/7/extra")).toBeNull();
  expect(matchRoute("/users/:id", "/users")).toBeNull();
});

it("routes users", () => {
  expect(handle("/users/42")).toBe("user 42");
  expect(handle("/")).toBe("home");
  expect(handle("/nowhere")).toBe("not found");
});
