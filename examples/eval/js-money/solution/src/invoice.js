import { formatCents } from "./money.js";

/** The total of an invoice's lines. */
export function invoiceTotal(lines) {
  const cents = lines.reduce((sum, line) => sum + line.qty * line.unitCents, 0);
  return formatCents(cents);
}
