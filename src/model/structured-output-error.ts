import { SwarmError } from "../domain/errors.js";

/** A model's reply that never matched its schema, or was cut off or refused. */
export class StructuredOutputError extends SwarmError {
  constructor(problem: string, fix: string, details: readonly string[] = []) {
    super("invalid-model-output", "fail-node", { problem, fix, details });
  }
}
