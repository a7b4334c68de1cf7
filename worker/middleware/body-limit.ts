/**
 * @module
 * Caps request bodies (default `MAX_BODY_BYTES`, 1 MiB, engine/body-size.ts) before anything reads them. Too large is 413
 * `request.too_large`, whether the size is declared in Content-Length or found while streaming.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_BODY_BYTES } from "../../engine/body-size.ts";
import type { ErrorCode } from "../../engine/errors.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { errorResponse } from "./errors.ts";

/** `code` names the refusal: `request.too_large` by default, `webhook.body_too_large` on `/hooks/*`. */
export function limitBody(
  maxSize = MAX_BODY_BYTES,
  code: ErrorCode = RuntimeCodes.requestTooLarge,
): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () =>
      errorResponse(413, {
        code,
        message: `The request body is larger than ${maxSize} bytes; send a smaller one.`,
      }),
  });
}
