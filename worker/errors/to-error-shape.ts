/**
 * @module
 * Turns anything thrown at the edge into the wire error `{code, message, path?, line?, column?}`
 * and an HTTP status. Known failures keep their code and message; anything unexpected becomes
 * `internal.error` with a generic message (details go to the log, never to the caller).
 */
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { EngineError, type ErrorShape, isEngineError } from "../../engine/errors.ts";
import { classifyCode, type HttpErrorStatus, httpStatusOf, RuntimeCodes } from "./codes.ts";

export interface MappedError {
  status: HttpErrorStatus;
  error: ErrorShape;
  /** true when the cause was unexpected and should be logged with its stack */
  unexpected: boolean;
}

/** Builds the `input.invalid` error for a failed zod parse, naming the first offending path. */
export function inputError(error: z.ZodError, what = "arguments"): EngineError {
  const issue = error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : undefined;
  const detail = issue ? `${path ? `${path}: ` : ""}${issue.message}` : "invalid";
  const options = path === undefined ? {} : { path };
  return new EngineError(RuntimeCodes.inputInvalid, `Invalid ${what}: ${detail}.`, options);
}

export function mapError(thrown: unknown): MappedError {
  if (isEngineError(thrown)) return fromShape(thrown.toJSON(), false);
  if (thrown instanceof z.ZodError) return fromShape(inputError(thrown).toJSON(), false);
  if (thrown instanceof HTTPException) return fromHttpException(thrown);
  return {
    status: 500,
    error: {
      code: RuntimeCodes.internal,
      message: "Internal error; the request id in X-Request-Id identifies it in the logs.",
    },
    unexpected: true,
  };
}

function fromShape(error: ErrorShape, unexpected: boolean): MappedError {
  return { status: httpStatusOf(classifyCode(error.code)), error, unexpected };
}

function fromHttpException(thrown: HTTPException): MappedError {
  switch (thrown.status) {
    case 413:
      return fromShape({ code: RuntimeCodes.requestTooLarge, message: thrown.message }, false);
    case 404:
      return fromShape({ code: RuntimeCodes.routeNotFound, message: thrown.message || "Not found." }, false);
    case 401:
      return fromShape({ code: RuntimeCodes.authInvalidKey, message: thrown.message }, false);
    default:
      if (thrown.status >= 400 && thrown.status < 500) {
        return fromShape({ code: RuntimeCodes.requestInvalidBody, message: thrown.message }, false);
      }
      return mapError(new Error(thrown.message));
  }
}
