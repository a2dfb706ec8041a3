// Git's smart HTTP protocol through `git http-backend` (CGI), so clones and pushes over https-style URLs
// can be tested with a real installation token in the Authorization header.
import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename, dirname } from "node:path";

export function serveGit(
  req: IncomingMessage,
  res: ServerResponse,
  bare: string,
  rest: string,
  onPushed: () => void,
): void {
  const url = new URL(req.url ?? "/", "http://x");
  const backend = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: dirname(bare),
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: `/${basename(bare)}${rest}`,
      REQUEST_METHOD: req.method ?? "GET",
      QUERY_STRING: url.searchParams.toString(),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      // Set after authentication: http-backend allows pushes (receive-pack) only for a known user.
      REMOTE_USER: "x-access-token",
      REMOTE_ADDR: "127.0.0.1",
      ...(req.headers["content-encoding"]
        ? { HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"]) }
        : {}),
      ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
    },
  });
  req.pipe(backend.stdin);
  let head = Buffer.alloc(0);
  let headersSent = false;
  backend.stdout.on("data", (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
      const at = line.indexOf(":");
      const name = line.slice(0, at).trim();
      const value = line.slice(at + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    headersSent = true;
    res.write(head.subarray(end + 4));
  });
  backend.on("close", () => {
    if (!headersSent) res.writeHead(500).end("git http-backend failed");
    else res.end();
    if (req.method === "POST" && rest.endsWith("/git-receive-pack")) onPushed();
  });
}
