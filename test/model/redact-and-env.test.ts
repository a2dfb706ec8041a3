import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/domain/errors.js";
import { redactSecrets, secretsFromEnv } from "../../src/domain/security/redact-secrets.js";
import { readModelEnv } from "../../src/model/read-model-env.js";

describe("redactSecrets", () => {
  it("removes known values and credential-shaped strings", () => {
    const text = [
      "key sk-ant-api03-AbCdEf123456_xyz",
      "gh ghs_0123456789abcdefghijABCDEFGHIJ and github_pat_11ABCDEFG0123456789_abcdefghij",
      "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
      "remote https://x-access-token:v1.abcdef0123456789@github.com/o/r.git",
      "db password correct-horse-battery",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
    ].join("\n");
    const out = redactSecrets(text, ["correct-horse-battery", "short"]);
    expect(out).toBe(
      [
        "key [REDACTED]",
        "gh [REDACTED] and [REDACTED]",
        "Authorization: Bearer [REDACTED]",
        "remote https://x-access-token:[REDACTED]@github.com/o/r.git",
        "db password [REDACTED]",
        "[REDACTED]",
      ].join("\n"),
    );
  });

  it("leaves ordinary text alone, including short known values", () => {
    expect(redactSecrets("the shortest path is short", ["short"])).toBe("the shortest path is short");
  });

  it("finds secret values in the environment by their names", () => {
    expect(
      secretsFromEnv({
        GITHUB_TOKEN: "t1",
        ANTHROPIC_API_KEY: "k1",
        HOME: "/root",
        WEBHOOK_SECRET: "s",
        EMPTY_KEY: "",
      }),
    ).toEqual(["t1", "k1", "s"]);
  });
});

describe("readModelEnv", () => {
  it("reads the key, base URL and limits", () => {
    expect(
      readModelEnv({
        ANTHROPIC_API_KEY: "k",
        ANTHROPIC_BASE_URL: "http://127.0.0.1:9/x",
        SWARM_MODEL_TIMEOUT_MS: "5000",
      }),
    ).toEqual({
      apiKey: "k",
      baseURL: "http://127.0.0.1:9/x",
      timeoutMs: 5000,
      maxAttempts: 5,
    });
  });

  it("names a missing key and how to fix it", () => {
    const error = (() => {
      try {
        readModelEnv({ ANTHROPIC_BASE_URL: "not a url" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problem).toBe(
      "The model settings in the environment are missing or malformed: ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL.",
    );
    expect((error as ConfigError).fix).toContain("Set ANTHROPIC_API_KEY");
  });
});
