/**
 * @module
 * What `result` is when an agent completes a client step (`workflow_step_complete`). One rule for
 * a result sent as a plain string: it is JSON only where the step's output is data.
 *
 * - `shell_command`: a string is the command's stdout, as sent (never parsed: `cat package.json`
 *   prints JSON that is still text). An object must carry the output (`stdout`, `stderr`,
 *   `exit_code` or `returncode`); no result at all means no output.
 * - `user_input`: a string is the answer as typed (the step's `input_type` converts it).
 * - `mcp_call`, `agent_prompt`, `agent_response`: a string holding a JSON object or array is that
 *   object or array (clients often pass a tool's output or a structured answer as JSON text); any
 *   other string stays text, and so does every string when the step's declared shape is
 *   `type: string`.
 *
 * A result the step cannot take is refused with `step.invalid_result` (and JSON nested past
 * `MAX_JSON_DEPTH` with `input.too_deep`) before anything changes, so the agent can send it again.
 */
import type { Step } from "../dialect/index.ts";
import { EngineError } from "../errors.ts";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../json-depth.ts";
import { RuntimeCodes } from "../runtime-error-codes.ts";
import { describeValue } from "../state/declared-types.ts";
import { isPlainRecord } from "../state/value-kind.ts";

/** Keys that show an object is a command's output. */
const SHELL_OUTPUT_KEYS = ["stdout", "stderr", "exit_code", "returncode"];

/** The result a completed client step works with, read from what the agent sent. */
export function readResult(step: Step, sent: unknown): unknown {
  switch (step.type) {
    case "shell_command":
      return shellOutput(step, sent);
    case "mcp_call":
      return parsedJsonText(sent);
    case "agent_prompt":
    case "agent_response":
      return declaresText(step) ? sent : parsedJsonText(sent);
    default:
      return sent;
  }
}

function shellOutput(step: Step, sent: unknown): unknown {
  if (sent === undefined || sent === null || typeof sent === "string") return sent;
  if (isPlainRecord(sent) && SHELL_OUTPUT_KEYS.some((key) => Object.hasOwn(sent, key))) return sent;
  const what = isPlainRecord(sent)
    ? `${describeValue(sent)}, without ${SHELL_OUTPUT_KEYS.join(", ")}`
    : describeValue(sent);
  throw new EngineError(
    "step.invalid_result",
    `step "${step.id}" is a shell_command: its result is the command's output. Send the output text as a string (it becomes stdout, exactly as sent, e.g. the JSON that cat package.json prints) or an object {stdout, stderr, exit_code}; you sent ${what}. Nothing changed: complete the step again.`,
    { path: "result" },
  );
}

/** An agent step whose declared shape is `type: string` keeps a string as text. */
function declaresText(step: Step): boolean {
  const shape =
    step.type === "agent_response"
      ? step.response_schema
      : step.type === "agent_prompt"
        ? step.expected_response
        : undefined;
  return isPlainRecord(shape) && shape.type === "string";
}

/** A string holding a JSON object or array, parsed; anything else as sent. */
function parsedJsonText(sent: unknown): unknown {
  if (typeof sent !== "string") return sent;
  const text = sent.trim();
  if (!(text.startsWith("{") || text.startsWith("["))) return sent;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return sent;
  }
  if (jsonDepthExceeds(parsed, MAX_JSON_DEPTH)) {
    throw new EngineError(
      RuntimeCodes.inputTooDeep,
      `Invalid result: arrays and objects nest more than ${MAX_JSON_DEPTH} levels deep.`,
      { path: "result" },
    );
  }
  return parsed;
}
