/** Retry-After as delay-seconds or an HTTP-date, capped at an hour; anything else is unreadable. */
import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_SECONDS, parseRetryAfter } from "../../../plugins/outbound/retry-after.ts";

const NOW = Date.parse("2026-12-04T12:00:00Z");

describe("parseRetryAfter", () => {
  it.each([
    ["0", 0],
    ["30", 30],
    [" 45 ", 45],
    ["86400", MAX_RETRY_AFTER_SECONDS],
    ["Fri, 04 Dec 2026 12:01:30 GMT", 90],
    ["Fri, 04 Dec 2026 11:00:00 GMT", 0],
    ["Sat, 05 Dec 2026 12:00:00 GMT", MAX_RETRY_AFTER_SECONDS],
  ])("reads %j as %i seconds", (value, seconds) => {
    expect(parseRetryAfter(value, NOW)).toBe(seconds);
  });

  it.each([null, "", "-5", "1.5", "soon", "2026-12-04T12:01:00Z", "Fri, 04 Dec 2026 12:01:30"])(
    "cannot read %j",
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    },
  );
});
