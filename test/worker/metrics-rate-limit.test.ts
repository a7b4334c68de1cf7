/**
 * A tenant key's `GET /metrics` is charged one unit of the tenant's `admin` rate limit
 * (`rate_limit_admin_per_minute`): a scraper run wild is refused with `429 ratelimit.exceeded`.
 * With the limit at 1, a PATCH and three scrapes fall in at most two one-minute windows, so at
 * least one scrape shares a window with an earlier request and is refused.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminFetch, BASE, newTenant } from "./support/clients.ts";

describe("GET /metrics rate limit", () => {
  it("charges a tenant's scrape to its admin limit", async () => {
    const { id, apiKey } = await newTenant("mrl");
    const patched = await adminFetch(`/admin/tenants/${id}/settings`, {
      method: "PATCH",
      body: JSON.stringify({ rate_limit_admin_per_minute: 1 }),
    });
    expect(patched.status).toBe(200);
    const answers: { status: number; code?: string }[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await SELF.fetch(`${BASE}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } });
      const text = await res.text();
      answers.push(
        res.status === 200 ? { status: 200 } : { status: res.status, code: JSON.parse(text).error.code },
      );
    }
    expect(answers).toContainEqual({ status: 429, code: "ratelimit.exceeded" });
  });
});
