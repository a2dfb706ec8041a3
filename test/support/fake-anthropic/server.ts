// A fake Anthropic Messages API on loopback: POST /v1/messages (JSON and SSE streaming) and
// POST /v1/messages/count_tokens, Bearer or x-api-key auth, usage with cache fields, and injectable faults.
// Tests drive the real @anthropic-ai/sdk against it.

import { randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { text } from "node:stream/consumers";
import { partialParse } from "@anthropic-ai/sdk/_vendor/partial-json-parser/parser";
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import { scriptedCallProblem } from "./builtin-tools.js";
import { minCacheableTokens } from "./cache-minimums.js";
import type { RecordedRequest, ScriptedModel, ScriptedReply } from "./script.js";
import { ThinkingLedger } from "./thinking.js";
import { countTokens, PromptCache } from "./usage.js";
import { requestProblem } from "./validate-request.js";

export type FakeAnthropic = {
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Scripted answers the real model could not give (a tool it was not offered, a built-in tool's wrong fields). */
  scriptProblems: string[];
  setModel(model: ScriptedModel): void;
  stop(): Promise<void>;
};

export type FakeAnthropicOptions = {
  model?: ScriptedModel;
  apiKey?: string;
  /**
   * Smallest prefix, in tokens, that the cache stores: by default each model's documented minimum
   * (cache-minimums.ts); a number sets one for all models.
   */
  minCacheTokens?: number;
  /** The cache's clock (entries live five minutes, or an hour): a test moves it to outlive them. */
  now?: () => number;
  /**
   * The request as the cache sees it, for a bench that compares layouts: the breakpoints of another layout,
   * or none (caching off). The request itself is checked and recorded as sent.
   */
  cacheView?: (body: MessageCreateParams) => MessageCreateParams;
};

const RATE_LIMIT_HEADERS = {
  "anthropic-ratelimit-requests-limit": "4000",
  "anthropic-ratelimit-requests-remaining": "3999",
  "anthropic-ratelimit-input-tokens-limit": "2000000",
  "anthropic-ratelimit-input-tokens-remaining": "1990000",
  "anthropic-ratelimit-output-tokens-limit": "400000",
  "anthropic-ratelimit-output-tokens-remaining": "399000",
};

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const apiKey = options.apiKey ?? "sk-ant-test-fake-key";
  const cache = new PromptCache(options.minCacheTokens ?? minCacheableTokens, options.now);
  const thinking = new ThinkingLedger();
  const requests: RecordedRequest[] = [];
  const scriptProblems: string[] = [];
  const open = new Set<ServerResponse>();
  let model: ScriptedModel = options.model ?? (() => ({ content: [{ type: "text", text: "ok" }] }));
  let calls = 0;

  const server = createServer(async (req, res) => {
    open.add(res);
    res.on("close", () => open.delete(res));
    const raw = await text(req);
    const started = performance.now();
    const record = (body: MessageCreateParams, status: number) =>
      requests.push({
        path: req.url ?? "",
        headers: req.headers,
        body,
        serverMs: performance.now() - started,
        status,
      });

    const key = req.headers["x-api-key"] ?? req.headers.authorization?.replace(/^Bearer /, "");
    if (key !== apiKey) {
      sendError(res, 401, "authentication_error", "invalid x-api-key");
      return;
    }
    let body: MessageCreateParams;
    try {
      body = JSON.parse(raw);
    } catch {
      sendError(res, 400, "invalid_request_error", "request body is not valid JSON");
      return;
    }
    if (req.method !== "POST" || !req.url?.startsWith("/v1/messages")) {
      sendError(res, 404, "not_found_error", `no route ${req.method} ${req.url}`);
      return;
    }
    const problem =
      requestProblem(body, req.url.startsWith("/v1/messages/count_tokens") ? "count_tokens" : "messages") ??
      thinking.problem(body);

    if (problem) {
      sendError(res, 400, "invalid_request_error", problem);
      record(body, 400);
      return;
    }
    const cached = options.cacheView?.(body) ?? body;
    if (req.url.startsWith("/v1/messages/count_tokens")) {
      const { usage } = cache.lookup(cached);
      sendJson(res, 200, {
        input_tokens: usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens,
      });
      record(body, 200);
      return;
    }

    let scripted: ScriptedReply;
    try {
      scripted = await model(body, calls++);
    } catch (error) {
      sendError(res, 500, "api_error", `the scripted model failed: ${(error as Error).message}`);
      record(body, 500);
      return;
    }
    // Like the real API: the cache is looked up when the request arrives, and an entry exists only once
    // the first answer to it has started (after the latency), so simultaneous requests all miss.
    const lookup = cache.lookup(cached);
    if (!("fault" in scripted)) {
      const wrong = scripted.content.flatMap((b) =>
        b.type === "tool_use"
          ? [
              // With tool_choice none the real API answers in text: no model can call a tool then.
              body.tool_choice?.type === "none"
                ? `it called "${b.name}", but the request's tool_choice is none`
                : scriptedCallProblem(body.tools, b),
            ].filter((p) => p !== null)
          : [],
      );
      if (wrong.length > 0) {
        scriptProblems.push(...wrong);
        sendError(res, 500, "api_error", `the scripted model answered as no real model would: ${wrong[0]}`);
        record(body, 500);
        return;
      }
    }
    if (scripted.latencyMs) await sleep(scripted.latencyMs);
    if (res.destroyed) return;
    const status = answer(res, body, scripted, lookup, thinking);
    if (status !== null) res.on("finish", () => record(body, status));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    scriptProblems,
    setModel(next) {
      model = next;
      calls = 0;
    },
    async stop() {
      for (const res of open) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Block =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "thinking"; thinking: string; signature: string };

/** Writes the answer; returns its status, or null when the connection is left hanging or is reset. */
function answer(
  res: ServerResponse,
  body: MessageCreateParams,
  reply: ScriptedReply,
  lookup: ReturnType<PromptCache["lookup"]>,
  ledger: ThinkingLedger,
): number | null {
  if ("fault" in reply) {
    switch (reply.fault) {
      case "rate-limit":
        return sendError(
          res,
          429,
          "rate_limit_error",
          "Number of request tokens has exceeded your rate limit.",
          {
            "retry-after": String(reply.retryAfterS ?? 1),
          },
        );
      case "spend-limit":
        return sendError(
          res,
          429,
          "rate_limit_error",
          "Your organization has reached its monthly spend limit.",
          {},
          {
            error_code: "enforced_spend_limit_reached",
          },
        );
      case "overloaded":
        return sendError(res, 529, "overloaded_error", "Overloaded");
      case "server-error":
        return sendError(res, 500, "api_error", "Internal server error");
      case "status":
        return sendError(res, reply.status, reply.type, reply.message);
      case "hang":
        return null;
      case "reset":
        res.socket?.destroy();
        return null;
      case "malformed":
        res.writeHead(200, { "content-type": "application/json", ...RATE_LIMIT_HEADERS });
        res.end('{"id": "msg_broken", "content": [');
        return 200;
      case "cut": {
        const id = `msg_${randomUUID().replaceAll("-", "")}`;
        if (!body.stream) {
          res.writeHead(200, { "content-type": "application/json", ...RATE_LIMIT_HEADERS });
          res.write(`{"id": "${id}", "type": "message", "content": [{"type": "text", "text": "I will`);
        } else {
          res.writeHead(200, { "content-type": "text/event-stream", ...RATE_LIMIT_HEADERS });
          const start = {
            type: "message_start",
            message: {
              id,
              type: "message",
              role: "assistant",
              model: body.model,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 10, output_tokens: 1 },
            },
          };
          res.write(`event: message_start\ndata: ${JSON.stringify(start)}\n\n`);
          res.write(
            `event: content_block_start\ndata: ${JSON.stringify({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } })}\n\n`,
          );
          res.write(
            `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "I will" } })}\n\n`,
          );
        }
        // Flushed first, so the client has begun reading the answer when the connection goes.
        setTimeout(() => res.socket?.destroy(), 20);
        return null;
      }
      case "empty":
        res.writeHead(200, {
          "content-type": body.stream ? "text/event-stream" : "application/json",
          ...RATE_LIMIT_HEADERS,
        });
        res.end();
        return 200;
    }
  }

  const { usage, commit } = lookup;
  commit();

  const scripted =
    reply.noThinking || reply.content[0]?.type === "thinking"
      ? reply.content
      : [{ type: "thinking" as const }, ...reply.content];
  const content: Block[] = [];
  for (const block of scripted) {
    if (block.type === "thinking") {
      const text = block.thinking ?? "";
      content.push({ type: "thinking", thinking: text, signature: ledger.sign(body, content, text) });
    } else if (block.type === "tool_use") {
      // In the API's own key order.
      const id = block.id ?? `toolu_${randomUUID().replaceAll("-", "")}`;
      content.push({ type: "tool_use", id, name: block.name, input: block.input });
    } else content.push(block);
  }
  const stopReason =
    reply.stopReason ?? (content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn");
  // At max_tokens the last block stops where the output did: half of it arrives. A turn interrupted in a
  // tool call can end with a progress thinking block (empty under the default display), as the docs say.
  const cut = stopReason === "max_tokens" ? cutLast(content) : null;
  if (cut?.partialJson !== undefined && !reply.noThinking) {
    const progress = { type: "thinking" as const, thinking: "", signature: ledger.sign(body, cut.held, "") };
    cut.content.push(progress);
    cut.held.push(progress);
  }
  const message = {
    id: `msg_${randomUUID().replaceAll("-", "")}`,
    type: "message",
    role: "assistant",
    model: body.model,
    content: cut?.content ?? content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    usage: { ...usage, output_tokens: countTokens(cut?.content ?? content) },
  };
  // What the client holds afterwards, so the same turn sent back must match it.
  ledger.remember(body, (cut?.held ?? content) as never);
  if (!body.stream) return sendJson(res, 200, message);
  streamMessage(
    res,
    message,
    cut?.cutAt === undefined ? undefined : { at: cut.cutAt, json: cut.partialJson ?? "" },
  );
  return 200;
}

/** The answer cut at its last block, as it arrives: for a tool call, half its input JSON, parsed partially. */
function cutLast(content: Block[]): {
  content: Block[];
  held: Block[];
  partialJson?: string;
  cutAt?: number;
} {
  const last = content.at(-1);
  const rest = content.slice(0, -1);
  if (last?.type === "tool_use") {
    const json = JSON.stringify(last.input);
    const partialJson = json.slice(0, Math.max(1, Math.floor(json.length / 2)));
    const held = { ...last, input: partialParse(partialJson) };
    return { content: [...rest, held], held: [...rest, held], partialJson, cutAt: rest.length };
  }
  if (last?.type === "text") {
    const text = { ...last, text: last.text.slice(0, Math.floor(last.text.length / 2)) };
    return { content: [...rest, text], held: [...rest, text] };
  }
  return { content, held: content };
}

function streamMessage(
  res: ServerResponse,
  message: { content: Block[]; usage: { output_tokens: number } } & Record<string, unknown>,
  partial?: { at: number; json: string },
) {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    ...RATE_LIMIT_HEADERS,
  });
  const event = (type: string, data: object) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event("message_start", {
    message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
  });
  for (const [index, block] of message.content.entries()) {
    if (block.type === "text") {
      event("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const piece of chunks(block.text))
        event("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
    } else if (block.type === "thinking") {
      event("content_block_start", {
        index,
        content_block: { type: "thinking", thinking: "", signature: "" },
      });
      for (const piece of chunks(block.thinking))
        event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: piece } });
      event("content_block_delta", { index, delta: { type: "signature_delta", signature: block.signature } });
    } else {
      event("content_block_start", {
        index,
        content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
      });
      const json = partial?.at === index ? partial.json : JSON.stringify(block.input);
      for (const piece of chunks(json)) {
        event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } });
      }
    }
    event("content_block_stop", { index });
  }
  event("message_delta", {
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: message.usage.output_tokens },
  });
  event("message_stop", {});
  res.end();
}

/** Splits text into up to three pieces, so clients must join deltas. */
function chunks(text: string): string[] {
  if (text.length < 3) return [text];
  const third = Math.ceil(text.length / 3);
  return [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)];
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): number {
  res.writeHead(status, {
    "content-type": "application/json",
    "request-id": `req_${randomUUID()}`,
    ...RATE_LIMIT_HEADERS,
    ...headers,
  });
  res.end(JSON.stringify(value));
  return status;
}

function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
  details?: Record<string, string>,
): number {
  return sendJson(
    res,
    status,
    { type: "error", error: { type, message, ...(details ? { details } : {}) } },
    headers,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
