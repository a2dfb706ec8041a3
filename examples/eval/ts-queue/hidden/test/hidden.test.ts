import { expect, it } from "vitest";
import { PriorityQueue } from "../src/priority-queue.js";
import { Scheduler } from "../src/scheduler.js";

it("pops the highest priority first, equal ones in the order they came", () => {
  const q = new PriorityQueue<string>();
  q.push("a", 1);
  q.push("b", 5);
  q.push("c", 5);
  expect(q.size).toBe(3);
  expect([q.pop(), q.pop(), q.pop(), q.pop()]).toEqual(["b", "c", "a", undefined]);
  expect(q.size).toBe(0);
});

it("keeps the order with many items", () => {
  const q = new PriorityQueue<number>();
  for (let i = 0; i < 200; i++) q.push(i, i % 7);
  const out: number[] = [];
  for (let x = q.pop(); x !== undefined; x = q.pop()) out.push(x);
  const expected = [...Array(200).keys()].sort((a, b) => (b % 7) - (a % 7) || a - b);
  expect(out).toEqual(expected);
});

it("the scheduler answers the most urgent job", () => {
  const s = new Scheduler();
  s.add({ name: "low", priority: 1 });
  s.add({ name: "high", priority: 9 });
  expect(s.next()?.name).toBe("high");
  expect(s.next()?.name).toBe("low");
});
