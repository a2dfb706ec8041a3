import { parseCsv } from "./csv.js";

/** The sum of `amount` by `region`, from CSV text whose first row names the columns. */
export function salesByRegion(text) {
  const [header, ...rows] = parseCsv(text);
  const region = header.indexOf("region");
  const amount = header.indexOf("amount");
  const totals = {};
  for (const row of rows) totals[row[region]] = (totals[row[region]] ?? 0) + Number(row[amount]);
  return totals;
}
