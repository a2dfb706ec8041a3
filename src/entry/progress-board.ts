import { describeEstimate, describeRoles } from "../domain/estimate/describe-estimate.js";
import type { NodeStatus } from "../domain/state/node-status.js";
import type { RunEvent } from "./run-locally.js";

const MARK: Record<NodeStatus, string> = {
  pending: "·",
  ready: "○",
  running: "◐",
  done: "✔",
  failed: "✘",
  blocked: "⊘",
  cancelled: "⊘",
};

type NodeLine = {
  id: string;
  title: string;
  status: NodeStatus;
  since?: number;
  until?: number;
  runs: number;
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * `swarm run`'s live progress: a line per node (status and time) and a totals line. On a terminal the block
 * is redrawn in place a few times a second; elsewhere (a log, a pipe) each change is printed once.
 */
export function createProgressBoard(out: {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}) {
  const started = Date.now();
  const nodes: NodeLine[] = [];
  const checks = new Map<string, string>();
  let stage = "starting";
  let spend = "no model calls yet";
  let usd = "";
  let drawn = 0;
  let events = 0;
  // While a question is asked at the terminal (`swarm run --approve`), the board keeps off the screen.
  let paused = false;
  const tty = out.isTTY === true;

  const lines = (now: number, columns = Number.POSITIVE_INFINITY) => {
    const done = nodes.filter((n) => n.status === "done").length;
    const width = Math.max(4, ...nodes.map((n) => n.id.length));
    // The totals line is shortened from the middle, so the cost is never what a narrow terminal cuts off.
    const totals = [
      `swarm · ${stage} · ${done}/${nodes.length} nodes done · ${seconds(now - started)} · ${spend}`,
      `swarm · ${stage} · ${done}/${nodes.length} · ${seconds(now - started)} · ${usd || spend}`,
      `${stage} ${done}/${nodes.length} ${seconds(now - started)} ${usd}`.trim(),
    ];
    return [
      totals.find((t) => t.length <= columns) ?? (totals.at(-1) as string),
      ...nodes.map((n) => {
        const time = n.since ? seconds((n.until ?? now) - n.since) : "";
        const round = n.runs > 1 ? ` (run ${n.runs})` : "";
        return `  ${MARK[n.status]} ${n.id.padEnd(width)}  ${n.status.padEnd(9)} ${time.padStart(8)}  ${n.title}${round}`;
      }),
      ...[...checks].map(
        ([name, state]) =>
          `  ${state === "passed" ? "✔" : state === "failed" ? "✘" : "◐"} check: ${name}  ${state}`,
      ),
    ];
  };
  const draw = () => {
    if (paused) return;
    // Cut to the terminal's width: a wrapped line would throw off the count of lines to redraw.
    const width = (out.columns ?? 100) - 1;
    const text = lines(Date.now(), width).map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    // Up to the first line of the last drawing, clear to the end of the screen, draw again.
    out.write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ""}${text.join("\n")}\n`);
    drawn = text.length;
  };
  const say = (text: string) => {
    if (!tty) return void out.write(`[${seconds(Date.now() - started).padStart(8)}] ${text}\n`);
    if (drawn > 0) out.write(`\x1b[${drawn}F\x1b[J`);
    drawn = 0;
    out.write(`${text}\n`);
    draw();
  };
  const timer = tty ? setInterval(draw, 200) : undefined;
  timer?.unref();

  return {
    handle(e: RunEvent) {
      events++;
      if (e.kind === "notice") say(e.text);
      else if (e.kind === "stage") {
        stage = e.text;
        if (!tty) say(`stage: ${e.text}`);
      } else if (e.kind === "plan") {
        for (const n of e.nodes)
          if (!nodes.some((x) => x.id === n.id)) nodes.push({ ...n, status: "pending", runs: 0 });
        if (!tty) say(`planned ${e.nodes.length} nodes: ${e.nodes.map((n) => n.id).join(", ")}`);
      } else if (e.kind === "estimate") {
        say(`estimate: ${describeEstimate(e.estimate)}`);
        say(`  tokens by role: ${describeRoles(e.estimate)}`);
      } else if (e.kind === "node") {
        const n = nodes.find((x) => x.id === e.id);
        if (!n) return;
        n.status = e.status;
        if (e.status === "running") {
          n.since = e.at;
          n.runs++;
          delete n.until;
        } else if (n.since && !n.until && e.status !== "pending" && e.status !== "ready") n.until = e.at;
        if (!tty)
          say(
            `${e.id} ${e.status}${n.since && n.until && e.status !== "pending" && e.status !== "ready" ? ` after ${seconds(n.until - n.since)}` : ""}`,
          );
      } else if (e.kind === "check") {
        checks.set(e.name, e.state);
        if (!tty) say(`check ${e.name}: ${e.state}`);
      } else if (e.kind === "spend") {
        usd = `$${e.ledger.usd.toFixed(3)}`;
        spend = `${e.ledger.tokens.toLocaleString("en-US")} tokens · ${usd}`;
      }
      if (tty) draw();
    },
    /** Clears the board and keeps it off the screen until `resume`, so a question can be asked. */
    pause() {
      if (tty && drawn > 0) out.write(`\x1b[${drawn}F\x1b[J`);
      drawn = 0;
      paused = true;
    },
    resume() {
      paused = false;
      if (tty) draw();
    },
    /** The final drawing (or, off a terminal, the totals line). */
    stop() {
      if (timer) clearInterval(timer);
      // A start refused before anything happened leaves no board behind: the error says it all.
      if (events === 0) {
        if (tty && drawn > 0) out.write(`\x1b[${drawn}F\x1b[J`);
        return;
      }
      if (tty) draw();
      else out.write(`${lines(Date.now())[0]}\n`);
    },
  };
}
