/**
 * The admin scrape waits a bounded time for each tenant (`withinTimeout`, `TENANT_SCRAPE_TIMEOUT_MS`
 * = 2 s): a TenantDO that never answers is given up on, so one slow tenant cannot stall the
 * scrape; the tenant is then shown as `edgeflow_scrape_errors{tenant} 1` (worker/metrics/scrape.ts).
 * A TenantDO held by `blockConcurrencyWhile` also holds the test runner's timers under
 * vitest-pool-workers, so the bound is checked on the helper the scrape runs every tenant through.
 */
import { describe, expect, it } from "vitest";
import { TENANT_SCRAPE_TIMEOUT_MS, withinTimeout } from "../../worker/metrics/scrape.ts";

describe("admin scrape: per-tenant wait", () => {
  it("gives up on an answer that never comes, and passes one that does", async () => {
    expect(TENANT_SCRAPE_TIMEOUT_MS).toBe(2_000);
    await expect(withinTimeout(new Promise<never>(() => {}), 50)).rejects.toThrow("scrape timeout");
    await expect(withinTimeout(Promise.resolve([1, 2]), 50)).resolves.toEqual([1, 2]);
  });
});
