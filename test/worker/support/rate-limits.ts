/**
 * Helpers for the rate-limit tests: a frozen clock at a known point of a one-minute window, tenant
 * settings over /admin, and the IETF RateLimit headers of an answer.
 */
import { vi } from "vitest";
import { adminFetch } from "./clients.ts";

/** Freezes `Date` at `secondsIn` seconds into a fresh minute a few minutes ahead (windows align to the minute). */
export function freezeInWindow(secondsIn = 1, minutesAhead = 2): number {
  const minute = Math.floor(Date.now() / 60_000) * 60_000 + minutesAhead * 60_000;
  const at = minute + secondsIn * 1000;
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
  return at;
}

/** Moves the frozen clock on by `ms`. */
export function advanceClock(ms: number): void {
  vi.setSystemTime(Date.now() + ms);
}

export async function patchSettings(tenant: string, patch: Record<string, unknown>): Promise<Response> {
  return adminFetch(`/admin/tenants/${tenant}/settings`, { method: "PATCH", body: JSON.stringify(patch) });
}

/** Sets settings and fails the test when they are refused. */
export async function setSettings(tenant: string, patch: Record<string, unknown>): Promise<void> {
  const res = await patchSettings(tenant, patch);
  if (res.status !== 200) throw new Error(`settings refused: ${res.status} ${await res.text()}`);
}

/** The rate-limit header fields of an answer. */
export function rateLimitHeadersOf(headers: Headers): Record<string, string | null> {
  return {
    "retry-after": headers.get("retry-after"),
    "ratelimit-policy": headers.get("ratelimit-policy"),
    ratelimit: headers.get("ratelimit"),
  };
}
