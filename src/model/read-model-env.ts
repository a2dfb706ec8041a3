import { z } from "zod";
import { ConfigError } from "../domain/errors.js";

const ModelEnvSchema = z.object({
  ANTHROPIC_API_KEY: z.string().min(1),
  ANTHROPIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  SWARM_MODEL_TIMEOUT_MS: z.coerce.number().int().positive().default(600_000),
  SWARM_MODEL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
});

export type ModelEnv = { apiKey: string; baseURL?: string; timeoutMs: number; maxAttempts: number };

/** The model settings from the environment; a missing or malformed variable is named with its fix. */
export function readModelEnv(env: Readonly<Record<string, string | undefined>>): ModelEnv {
  // An empty variable is unset, as the server and worker read it.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = ModelEnvSchema.safeParse(given);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
    throw new ConfigError({
      problem: `The model settings in the environment are missing or malformed: ${names.join(", ")}.`,
      fix: names.includes("ANTHROPIC_API_KEY")
        ? "Set ANTHROPIC_API_KEY to an Anthropic API key (or a key for your gateway), or replay a recorded trace instead."
        : "ANTHROPIC_BASE_URL must be a URL such as https://api.anthropic.com; the numbers must be positive integers.",
      details: parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`),
    });
  }
  const e = parsed.data;
  return {
    apiKey: e.ANTHROPIC_API_KEY,
    timeoutMs: e.SWARM_MODEL_TIMEOUT_MS,
    maxAttempts: e.SWARM_MODEL_MAX_ATTEMPTS,
    ...(e.ANTHROPIC_BASE_URL ? { baseURL: e.ANTHROPIC_BASE_URL } : {}),
  };
}
