// Failures that say nothing about the code: the runner, the network or a registry gave way. They are run
// again once before anyone is sent to revise.

type FailedCheck = {
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  annotations: readonly { message: string }[];
  logTail: string | null;
};

const SIGNS: readonly [RegExp, string][] = [
  [/lost communication with the server/i, "the runner lost communication with GitHub"],
  [/runner has received a shutdown signal/i, "the runner was shut down"],
  [/The operation was canceled/i, "the runner cancelled the job"],
  [/job was not acquired by Runner|No runner matching|Waiting for a runner/i, "no runner picked the job up"],
  [/No space left on device|ENOSPC/i, "the runner ran out of disk"],
  [/\b(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|ENETUNREACH)\b/, "a network error"],
  [/socket hang up|Could not resolve host|TLS handshake timeout|network timeout/i, "a network error"],
  [/\b(502 Bad Gateway|503 Service Unavailable|504 Gateway Time-?out)\b/i, "a server it depends on was down"],
  [/\b(429 Too Many Requests|rate limit exceeded)\b/i, "a service it depends on limited its requests"],
  [/The job running on runner .* has exceeded the maximum execution time/i, "the job hit its time limit"],
];

/**
 * Why a failed check looks like infrastructure rather than the code (the first sign found in its conclusion,
 * title, summary, annotations or the end of its log), or null when nothing says so.
 */
export function infrastructureSign(check: FailedCheck): string | null {
  if (check.conclusion === "timed_out") return "the job hit its time limit";
  if (check.conclusion === "cancelled") return "the job was cancelled";
  if (check.conclusion === "startup_failure") return "the workflow failed to start";
  const text = [
    check.title ?? "",
    check.summary ?? "",
    ...check.annotations.map((a) => a.message),
    (check.logTail ?? "").split("\n").slice(-60).join("\n"),
  ].join("\n");
  for (const [pattern, why] of SIGNS) if (pattern.test(text)) return why;
  return null;
}
