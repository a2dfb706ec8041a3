import assert from "node:assert/strict";
import { test } from "node:test";
import { postUrl } from "../src/posts.js";

test("a post's URL starts with /posts/", () => {
  assert.ok(postUrl({ title: "hello" }).startsWith("/posts/"));
});
