import assert from "node:assert/strict";
import { test } from "node:test";
import { invoiceTotal } from "../src/invoice.js";

test("an empty invoice totals nothing", () => {
  assert.match(invoiceTotal([]), /0/);
});
