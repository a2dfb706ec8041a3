import assert from "node:assert/strict";
import { test } from "node:test";
import { invoiceTotal } from "../src/invoice.js";
import { formatCents } from "../src/money.js";

test("formatCents writes dollars, commas and two decimals", () => {
  assert.equal(formatCents(123456), "$1,234.56");
  assert.equal(formatCents(5), "$0.05");
  assert.equal(formatCents(100000000), "$1,000,000.00");
});

test("a credit note's minus sign comes before the dollar sign", () => {
  assert.equal(formatCents(-350), "-$3.50");
});

test("invoiceTotal is formatted", () => {
  assert.equal(invoiceTotal([{ qty: 2, unitCents: 150 }]), "$3.00");
});
