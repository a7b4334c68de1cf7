/**
 * @module
 * The headers an `auth` block adds: `Authorization: Bearer <token>`, `Authorization: Basic
 * <base64(user:password)>` (UTF-8), or one named header. An incomplete block, or a token or value
 * that is not printable ASCII, is an error that names the field, never a value.
 */
import { HEADER_NAME_PATTERN, isCredentialHeader } from "../../engine/dialect/header-names.ts";
import { EngineError } from "../../engine/errors.ts";
import { toBase64, utf8 } from "../../engine/events/signatures/byte-encoding.ts";
import type { HttpAuth } from "./http-config.ts";

export function authHeaders(auth: HttpAuth | undefined, label: string): Record<string, string> {
  if (auth === undefined || auth.type === "none") return {};
  switch (auth.type) {
    case "bearer":
      return {
        authorization: `Bearer ${headerSafe(required(auth.token, "auth.token", label), "auth.token", label)}`,
      };
    case "basic": {
      const user = required(auth.username, "auth.username", label);
      if (user.includes(":"))
        throw new EngineError("external.failed", `${label}: auth.username may not contain ':'`);
      const password = required(auth.password, "auth.password", label);
      return { authorization: `Basic ${toBase64(utf8(`${user}:${password}`))}` };
    }
    case "header": {
      // checked at publish too; again here for versions stored before that check
      const name = required(auth.header, "auth.header", label);
      if (!HEADER_NAME_PATTERN.test(name) || !isCredentialHeader(name))
        throw new EngineError(
          "external.failed",
          `${label}: auth.header ${JSON.stringify(name.slice(0, 64))} is not a header a service may set`,
        );
      return {
        [name.toLowerCase()]: headerSafe(required(auth.value, "auth.value", label), "auth.value", label),
      };
    }
  }
}

function required(value: string | undefined, field: string, label: string): string {
  if (value === undefined || value === "") {
    throw new EngineError("external.failed", `${label}: ${field} is required for this auth type`);
  }
  return value;
}

/**
 * A secret about to become a header value: visible ASCII, space and tab only. Anything else
 * (non-ASCII, CR, LF, NUL) is refused here, before the runtime sees it: a runtime may warn
 * about such a value and print it. The error names the field, never the value.
 */
function headerSafe(value: string, field: string, label: string): string {
  if (!/^[\t\x20-\x7e]*$/.test(value)) {
    throw new EngineError(
      "external.failed",
      `${label}: ${field} holds a character a header cannot carry (only printable ASCII, space and tab)`,
    );
  }
  return value;
}
