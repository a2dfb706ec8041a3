import assert from "node:assert/strict";
import { test } from "node:test";
import { postUrl } from "../src/posts.js";
import { slugify } from "../src/slug.js";

test("slugify lowers, dashes and trims", () => {
  assert.equal(slugify("Hello, World!"), "hello-world");
  assert.equal(slugify("  Crème brûlée "), "creme-brulee");
  assert.equal(slugify("--A  b--"), "a-b");
  assert.equal(slugify("Version 2.0 is out"), "version-2-0-is-out");
});

test("postUrl uses the slug", () => {
  assert.equal(postUrl({ title: "Hello, World!" }), "/posts/hello-world");
});
