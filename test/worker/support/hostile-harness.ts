/**
 * What every hostile-input test asserts about an answer, and the bookkeeping around it: no 5xx,
 * every error with a stable code (a dotted string the edge classifies as something other than
 * `internal`, or a JSON-RPC code other than -32603 "internal error"), nothing written to
 * `console.error` (where the error boundary and `toolError` log unexpected errors), and no new
 * property on `Object.prototype`. In the workers pool the Durable Objects run in the test's own
 * isolate, so the console spy and the prototype check see the DOs too.
 */
import { SELF } from "cloudflare:test";
import { expect, type MockInstance, vi } from "vitest";
import { isErrorCode } from "../../../engine/error-codes.ts";
import { classifyCode } from "../../../worker/errors/codes.ts";
import { firstText, toolErrorBody } from "../../support/tool-error-body.ts";
import { BASE } from "./clients.ts";

/** A dotted error code such as `run.not_found` or `webhook.bad_signature`. */
export const STABLE_CODE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

/** JSON-RPC's "internal error": the SDK answers it when a handler threw. */
const JSON_RPC_INTERNAL = -32603;

/**
 * The MCP SDK (v2.4) answers spec methods other than `tools/call` whose params fail its own
 * schema (`initialize` without params, `tools/list` with `{"cursor": 5}`) with -32603 and the
 * zod issues as the message, where -32602 "invalid params" is meant. That is the SDK's
 * classification of a caller's mistake, not a failure of ours: it is accepted, and counted.
 */
export function isSdkParamsRejection(error: { code?: unknown; message?: unknown }): boolean {
  if (error.code !== JSON_RPC_INTERNAL || typeof error.message !== "string") return false;
  try {
    const issues = JSON.parse(error.message) as unknown;
    return (
      Array.isArray(issues) &&
      issues.length > 0 &&
      issues.every(
        (issue) => typeof issue === "object" && issue !== null && "code" in issue && "path" in issue,
      )
    );
  } catch {
    return false;
  }
}

export interface Answer {
  status: number;
  /** every error code found in the answer: HTTP error codes, tool error codes, JSON-RPC codes */
  codes: (string | number)[];
  /** tool results that were not errors */
  successes: number;
  text: string;
}

/**
 * Counts inputs per surface, captures `console.error`, and remembers `Object.prototype`'s own
 * keys so a pollution shows up. Call `finish()` in `afterAll`.
 */
export class HostileHarness {
  readonly counts = new Map<string, number>();
  /** answers by HTTP status, and tool results that succeeded: how deep the inputs got */
  readonly statuses = new Map<string, number>();
  readonly #errors: MockInstance<typeof console.error>;
  readonly #prototypeKeys = Reflect.ownKeys(Object.prototype).map(String).sort();
  readonly #start = performance.now();

  readonly suite: string;
  readonly #minimum: number;

  /**
   * `minimum`: the inputs this suite promises. The suites' minimums add up to more than the
   * 10,000 the reliability issue asks for (docs/reliability.md), so trimming one fails here.
   */
  constructor(suite: string, minimum: number) {
    this.suite = suite;
    this.#minimum = minimum;
    this.#errors = vi.spyOn(console, "error").mockImplementation(() => {});
  }

  get total(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  /** Sends one request, counts it under `surface`, and checks the answer. */
  async send(surface: string, path: string, init: RequestInit, label = ""): Promise<Answer> {
    this.count(surface);
    const res = await SELF.fetch(`${BASE}${path}`, init);
    this.#tally(String(res.status));
    const answer = await checkAnswer(
      res,
      `${surface} ${init.method ?? "GET"} ${path} ${label}`.trim(),
      init.method === "HEAD",
    );
    if (answer.successes > 0) this.#tally("tool ok");
    else if (answer.codes.length > 0) this.#tally("error");
    return answer;
  }

  #tally(key: string): void {
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
  }

  count(surface: string, inputs = 1): void {
    this.counts.set(surface, (this.counts.get(surface) ?? 0) + inputs);
  }

  /** Fails with the first logged error, if anything was logged since the last call. */
  expectQuietLog(): void {
    const calls = this.#errors.mock.calls;
    expect(calls.map((args) => args.map(describeLogged).join(" ")).slice(0, 3)).toEqual([]);
  }

  expectPrototypesIntact(): void {
    expect(Reflect.ownKeys(Object.prototype).map(String).sort()).toEqual(this.#prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }

  /** Prints the counts (CI shows them), checks the log and prototypes, restores console.error. */
  finish(): void {
    const seconds = ((performance.now() - this.#start) / 1000).toFixed(1);
    const parts = [...this.counts].map(([surface, count]) => `${surface} ${count}`).join(", ");
    const statuses = [...this.statuses]
      .sort()
      .map(([status, count]) => `${status}: ${count}`)
      .join(", ");
    console.log(`hostile inputs (${this.suite}): ${this.total} in ${seconds} s — ${parts}`);
    console.log(`hostile answers (${this.suite}): ${statuses}`);
    try {
      expect(this.total, `${this.suite}: fewer hostile inputs than promised`).toBeGreaterThanOrEqual(
        this.#minimum,
      );
      this.expectQuietLog();
      this.expectPrototypesIntact();
    } finally {
      this.#errors.mockRestore();
    }
  }
}

/** Reads an answer and fails the test unless it is below 500 with a stable code on every error. */
export async function checkAnswer(res: Response, label: string, head = false): Promise<Answer> {
  const text = await res.text();
  const where = `${label} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, where).toBeLessThan(500);
  const answer: Answer = { status: res.status, codes: [], successes: 0, text };
  if (text.trim() === "") {
    // 202 for a JSON-RPC notification, 204 for a preflight; an error needs a body with a code
    // (a HEAD answer never has a body)
    if (!head) expect(res.status, `${where}: an error without a body`).toBeLessThan(400);
    return answer;
  }
  const messages = parseMessages(text, res.headers.get("content-type") ?? "");
  expect(messages, `${where}: not JSON`).not.toBeNull();
  for (const message of messages ?? []) collectCodes(message, answer, where);
  if (res.status >= 400) expect(answer.codes.length, `${where}: an error without a code`).toBeGreaterThan(0);
  return answer;
}

function collectCodes(message: unknown, answer: Answer, where: string): void {
  if (typeof message !== "object" || message === null) return;
  const record = message as Record<string, unknown>;
  const error = record.error as { code?: unknown; message?: unknown } | undefined;
  if (error !== undefined) {
    if (isSdkParamsRejection(error)) {
      answer.codes.push("sdk.invalid_params");
      return;
    }
    expectStableCode(error.code, where);
    answer.codes.push(error.code as string | number);
  }
  const result = record.result as { isError?: boolean; structuredContent?: unknown; content?: unknown };
  if (result?.isError === true) {
    // a tool error is the coded JSON in the text, with no structuredContent a client would check
    expect(result.structuredContent, `${where}: structuredContent on a tool error`).toBeUndefined();
    const code = (toolErrorBody(firstText(result)).error as { code?: unknown } | undefined)?.code;
    expectStableCode(code, where);
    answer.codes.push(code as string);
  } else if (result !== undefined) {
    answer.successes += 1;
    expectNestedCodes(result.structuredContent, where);
  }
}

/**
 * Errors carried inside a successful answer (a run that failed, an event whose start failed)
 * have dotted codes too, and none of them is the catch-all `internal.error`.
 */
function expectNestedCodes(value: unknown, where: string): void {
  const stack: unknown[] = [value];
  for (let visited = 0; stack.length > 0 && visited < 10_000; visited += 1) {
    const current = stack.pop();
    if (typeof current !== "object" || current === null) continue;
    const record = current as Record<string, unknown>;
    if (typeof record.code === "string" && typeof record.message === "string") {
      expect(record.code, `${where}: nested code`).toMatch(STABLE_CODE);
      expect(record.code, `${where}: nested code`).not.toMatch(/^internal\./);
    }
    stack.push(...Object.values(record));
  }
}

function expectStableCode(code: unknown, where: string): void {
  if (typeof code === "number") {
    expect(Number.isInteger(code) && code !== JSON_RPC_INTERNAL, `${where}: JSON-RPC code ${code}`).toBe(
      true,
    );
    return;
  }
  expect(typeof code === "string" && STABLE_CODE.test(code), `${where}: code ${String(code)}`).toBe(true);
  expect(isErrorCode(code), `${where}: ${String(code)} is not one of the error codes`).toBe(true);
  if (!isErrorCode(code)) return;
  expect(classifyCode(code), `${where}: ${String(code)} is classified internal`).not.toBe("internal");
}

/** A JSON body, a JSON array of JSON-RPC messages, or an SSE stream of them. */
function parseMessages(text: string, contentType: string): unknown[] | null {
  try {
    if (contentType.includes("text/event-stream")) {
      return text
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trim())
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line));
    }
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return null;
  }
}

function describeLogged(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** The JSON-RPC `tools/call` body for a tool and its arguments. */
export function toolCallBody(name: string, args: unknown, id: number | string = 1): string {
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
}

/** Headers of an MCP POST with a tenant key. */
export function mcpHeaders(apiKey: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    authorization: `Bearer ${apiKey}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-06-18",
    ...extra,
  };
}
