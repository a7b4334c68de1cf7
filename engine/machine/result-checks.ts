/**
 * @module
 * Checking what an agent sends back for a client step: `user_input` answers (required, type,
 * choices, pattern) and `agent_response`/`agent_prompt` results against their expected shape
 * (the JSON Schema subset `type`, `required`, `properties.*.type`). Author-supplied patterns run
 * inside the sandbox, so a pathological regex is stopped by the work budget.
 */

import type { Step } from "../dialect/index.ts";
import { EngineError } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";
import type { StepOf } from "./step-types.ts";

type UserInputStep = StepOf<"user_input">;

/** The value a `user_input` answer carries, coerced to its `input_type`. Throws `step.validation_failed`. */
export function checkUserInput(step: UserInputStep, result: unknown, evaluator: Evaluator): unknown {
  const raw = answerOf(result);
  if (raw === undefined || raw === null || raw === "") {
    if (step.default !== undefined) return step.default;
    throw invalid(step, "an answer is required");
  }
  // The pattern judges the answer as typed; the type conversion comes after.
  const pattern = patternOf(step);
  if (pattern !== undefined) {
    const matches = evaluator.evaluate("new RegExp(pattern).test(String(value))", { pattern, value: raw });
    if (matches !== true) throw invalid(step, validationMessage(step) ?? `the answer must match ${pattern}`);
  }
  return coerce(step, raw);
}

/** Checks a structured result against `response_schema` / `expected_response`, if the step has one. */
export function checkResponseShape(
  step: StepOf<"agent_response"> | StepOf<"agent_prompt">,
  result: unknown,
): void {
  const schema: JsonShape | undefined =
    step.type === "agent_response" ? step.response_schema : step.expected_response;
  if (!schema || typeof schema !== "object") return;
  const problem = shapeProblem(schema, result, "response");
  if (problem) throw invalid(step, problem);
}

interface JsonShape {
  type?: string;
  required?: string[];
  properties?: Record<string, JsonShape>;
}

function shapeProblem(schema: JsonShape, value: unknown, where: string): string | undefined {
  if (schema.type && !hasJsonType(value, schema.type)) return `${where} must be of type ${schema.type}`;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  // the dialect checks shapes at publish; the guard keeps an unchecked one from throwing here
  for (const key of Array.isArray(schema.required) ? schema.required : []) {
    if (!Object.hasOwn(record, key)) return `${where} is missing the required field "${key}"`;
  }
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    if (Object.hasOwn(record, key) && sub !== null && typeof sub === "object") {
      const problem = shapeProblem(sub, record[key], `${where}.${key}`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function hasJsonType(value: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "null":
      return value === null;
    case "string":
    case "number":
    case "boolean":
      return typeof value === type;
    default:
      return true;
  }
}

function answerOf(result: unknown): unknown {
  if (result !== null && typeof result === "object" && !Array.isArray(result)) {
    const record = result as Record<string, unknown>;
    if ("user_input" in record) return record.user_input;
    if ("value" in record) return record.value;
  }
  return result;
}

function coerce(step: UserInputStep, raw: unknown): unknown {
  switch (step.input_type) {
    case "number": {
      const value = typeof raw === "number" ? raw : Number(String(raw).trim());
      if (!Number.isFinite(value)) throw invalid(step, "the answer must be a number");
      return value;
    }
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      const text = String(raw).trim().toLowerCase();
      if (["true", "yes", "y", "1"].includes(text)) return true;
      if (["false", "no", "n", "0"].includes(text)) return false;
      throw invalid(step, "the answer must be yes or no");
    }
    case "choice": {
      const choices = step.choices ?? [];
      if (!choices.some((choice) => choice === raw)) {
        throw invalid(step, `the answer must be one of: ${choices.map(String).join(", ")}`);
      }
      return raw;
    }
    default:
      return raw;
  }
}

function patternOf(step: UserInputStep): string | undefined {
  return step.validation?.pattern;
}

function validationMessage(step: UserInputStep): string | undefined {
  return step.validation?.error_message;
}

function invalid(step: Step, message: string): EngineError {
  return new EngineError("step.validation_failed", `step "${step.id}": ${message}`);
}
