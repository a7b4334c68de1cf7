/**
 * @module
 * Errors are data with stable dotted codes (`loader.yaml_syntax`, `expression.budget_exceeded`,
 * `state.read_only`, ...). Every layer throws or returns `EngineError`; the edge maps the code to
 * an HTTP status or an MCP error in one place. `retryable` says whether trying again can help.
 * Codes are a closed set (`ErrorCode`, engine/error-codes.ts): an unknown code does not compile.
 */
import type { ErrorCode } from "./error-codes.ts";

export type { ErrorCode } from "./error-codes.ts";

/** Where in a workflow file a problem is. Lines and columns are 1-based. */
export interface SourceLocation {
  /** YAML path such as `steps[2].condition` */
  path?: string;
  line?: number;
  column?: number;
}

export interface EngineErrorOptions extends SourceLocation {
  retryable?: boolean;
  /**
   * How long the other side asked to be left alone before a retry, in seconds (an HTTP
   * `Retry-After` on 429 or 503). A hint for the retry policy; never part of the wire shape.
   */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class EngineError extends Error {
  override readonly name = "EngineError";
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: EngineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.line = options.line;
    this.column = options.column;
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The plain shape sent to callers: never includes a stack or a cause. */
  toJSON(): ErrorShape {
    const shape: ErrorShape = { code: this.code, message: this.message };
    if (this.path !== undefined) shape.path = this.path;
    if (this.line !== undefined) shape.line = this.line;
    if (this.column !== undefined) shape.column = this.column;
    return shape;
  }
}

/** The wire form of an error: what tools and routes return. */
export interface ErrorShape {
  code: ErrorCode;
  message: string;
  path?: string;
  line?: number;
  column?: number;
  /** set by a rate-limit refusal (`ratelimit.exceeded`): milliseconds until a retry can succeed */
  retry_after_ms?: number;
}

export function isEngineError(value: unknown): value is EngineError {
  return value instanceof EngineError;
}
