import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";
import { redactSecrets } from "../domain/security/redact-secrets.js";
import { WebhookShapeError } from "../forge/github/parse-webhook.js";

/** GitHub caps webhook payloads at 25 MB and does not deliver larger ones, so a larger body is not GitHub's. */
export const WEBHOOK_MAX_BYTES = 25 * 1024 * 1024;

export type ReceiveWebhookOptions = {
  /** The Probot app that decides and queues (its own verification is not used: this one logs no body). */
  probot: Pick<Probot, "receive">;
  secret: string;
  /** One line per refused or failed delivery: status, event, delivery id and reason, never the body. */
  log: (line: string) => void;
  maxBytes?: number;
  /** GitHub gives up after 10 s; past this the delivery is answered 503 (the job may still be queued). */
  timeoutMs?: number;
};

type Verdict = { status: number; reason: string };

/**
 * Answers one webhook delivery. Checks come cheapest first, so a request that is too large or unsigned is
 * refused before its body is read; a signed delivery is parsed, then handed to the Probot app. Every refusal
 * gets a 4xx and one log line; a payload that lacks the fields swarm reads is a 400, not a 500.
 */
export function receiveWebhook(options: ReceiveWebhookOptions) {
  const maxBytes = options.maxBytes ?? WEBHOOK_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? 9000;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const event = header(req, "x-github-event");
    const delivery = header(req, "x-github-delivery");
    const answer = ({ status, reason }: Verdict) => {
      if (status >= 300)
        options.log(
          `swarm server: webhook ${status >= 500 ? "failed" : "refused"}: ${JSON.stringify({ status, event: event ?? null, delivery: delivery ?? null, reason })}`,
        );
      if (res.headersSent || res.destroyed) return;
      if (status === 413) res.setHeader("connection", "close");
      const body = status < 300 ? "ok\n" : `${JSON.stringify({ error: reason })}\n`;
      res.writeHead(status, { "content-type": status < 300 ? "text/plain" : "application/json" }).end(body);
    };
    try {
      const early = checkHeaders(req, maxBytes, event, delivery);
      if (early) return answer(early);
      const body = await readBody(req, maxBytes);
      if (body === "too-large") return answer(tooLarge(maxBytes));
      if (body === "aborted")
        return answer({ status: 400, reason: "the request was cut off before its end" });
      if (!signedBy(options.secret, body, header(req, "x-hub-signature-256") ?? ""))
        return answer({
          status: 401,
          reason:
            "the signature does not match the body and the webhook secret: set WEBHOOK_SECRET to the App's webhook secret",
        });
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString("utf8"));
      } catch {
        return answer({ status: 400, reason: "the body is not JSON" });
      }
      if (typeof payload !== "object" || payload === null || Array.isArray(payload))
        return answer({ status: 400, reason: "the body is not a JSON object" });
      answer(await handOver(options, timeoutMs, event as string, delivery as string, payload));
    } catch (error) {
      answer({ status: 500, reason: oneLine(error) });
    }
  };
}

function checkHeaders(
  req: IncomingMessage,
  maxBytes: number,
  event: string | undefined,
  delivery: string | undefined,
): Verdict | null {
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) return tooLarge(maxBytes);
  if (!header(req, "x-hub-signature-256"))
    return {
      status: 401,
      reason:
        "unsigned (no X-Hub-Signature-256 header): set a webhook secret on the App and the same WEBHOOK_SECRET here",
    };
  if (!event || !delivery)
    return { status: 400, reason: "missing the X-GitHub-Event or X-GitHub-Delivery header" };
  if (!/^\s*application\/json\s*(;|$)/i.test(header(req, "content-type") ?? ""))
    return {
      status: 415,
      reason: "the body is not application/json: set the App's webhook content type to application/json",
    };
  return null;
}

const tooLarge = (maxBytes: number): Verdict => ({
  status: 413,
  reason: `the body is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, GitHub's cap on webhook payloads`,
});

async function handOver(
  options: ReceiveWebhookOptions,
  timeoutMs: number,
  event: string,
  delivery: string,
  payload: object,
): Promise<Verdict> {
  let timer: NodeJS.Timeout | undefined;
  const received = options.probot
    .receive({ id: delivery, name: event, payload } as Parameters<Probot["receive"]>[0])
    .then(
      (): Verdict => ({ status: 200, reason: "ok" }),
      (error: unknown): Verdict => {
        const errors = error instanceof AggregateError ? [...error.errors] : [error];
        const shape = errors.find((e) => e instanceof WebhookShapeError);
        return shape
          ? { status: 400, reason: (shape as Error).message.split("\n")[0]?.slice(0, 500) ?? "" }
          : { status: 500, reason: errors.map(oneLine).join("; ").slice(0, 500) };
      },
    );
  const late = new Promise<Verdict>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          status: 503,
          reason: `could not queue the job within ${timeoutMs / 1000} s (is Redis answering? see /readyz); redeliver it from the App's settings once it is`,
        }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([received, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The body, up to `maxBytes`; past that the rest is read and dropped, never kept. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | "too-large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off("data", onData);
      chunks.length = 0;
      req.resume();
      resolve("too-large");
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("aborted", () => resolve("aborted"));
    req.on("error", () => resolve("aborted"));
  });
}

function signedBy(secret: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(signature.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A header's value, shortened for a log line (they come from whoever sent the request). */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined ? undefined : one.slice(0, 200);
}

function oneLine(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown } | null;
  const text =
    e?.message === undefined ? String(error) : `${String(e.name ?? "Error")}: ${String(e.message)}`;
  return redactSecrets(text.split("\n")[0]?.slice(0, 300) ?? "");
}
