/**
 * Attack (issue 14, metrics): a scrape reads at most `MAX_SCRAPED_SERIES` (5,000) rows of
 * `metric_series` ordered by name. A tenant within its default quotas reaches that: 1,000
 * workflow names (`max_workflows`, default) give 1,000 `edgeflow_runs_started_total` series and up
 * to 3,000 `edgeflow_runs_finished_total` (x outcome), plus `edgeflow_external_calls_total`
 * (service x outcome; services can be deleted and new names registered, their rows stay) and
 * `edgeflow_events_rejected_total`. Past the cap, every family sorting after it vanishes from
 * /metrics silently: `edgeflow_schedule_lateness_seconds`, `edgeflow_step_duration_seconds` and
 * `edgeflow_webhook_verification_failures_total` (the signal of someone forging webhooks) go
 * first, and a histogram cut mid-way keeps a `+Inf` bucket without its `_count`. Secure
 * behaviour: every family stays whole (a budget per family, or fold excess label values into
 * `other` at write time). The rows are inserted directly, as 1,000+ workflows would leave them.
 */
import { runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  MAX_SCRAPED_SERIES,
  MAX_SERIES_PER_FAMILY,
  OTHER_LABEL_VALUE,
} from "../../durable-objects/tenant/metric-store.ts";
import { parseExposition, sampleSum } from "../support/exposition-parse.ts";
import { BASE, newTenant } from "./support/clients.ts";
import { DEPLOY_HOOK, postHook, publish, setSecret } from "./support/events.ts";
import { tenantObject } from "./support/runs.ts";

describe("attack: metric series past the scrape cap", () => {
  it("a tenant with many workflow names still shows its webhook verification failures", async () => {
    const { id, apiKey } = await newTenant("mtrunc");
    await setSecret(id, "WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    await publish(apiKey, DEPLOY_HOOK);
    await runInDurableObject(tenantObject(id), (_instance, state) => {
      for (let i = 0; i < MAX_SCRAPED_SERIES; i += 1) {
        state.storage.sql.exec(
          "INSERT INTO metric_series (name, labels, value) VALUES (?, ?, 1)",
          "edgeflow_runs_started_total",
          JSON.stringify([["workflow", `build:pr-${i}`]]),
        );
      }
    });
    const forged = await postHook(id, "/workflow/trigger", '{"ref":"main"}', {
      "x-hub-signature-256": "sha256=00",
    });
    expect(forged.status).toBe(401);
    const res = await SELF.fetch(`${BASE}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(200);
    const samples = parseExposition(await res.text());
    // today: 0, the family is not in the answer at all
    expect(sampleSum(samples, "edgeflow_webhook_verification_failures_total", { tenant: id })).toBe(1);
  }, 60_000);

  it("a counter family past its cap counts new label sets under _other, and stays bounded", async () => {
    const { id, apiKey } = await newTenant("mfold");
    await setSecret(id, "WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    await publish(apiKey, DEPLOY_HOOK);
    await runInDurableObject(tenantObject(id), (_instance, state) => {
      for (let i = 0; i < MAX_SERIES_PER_FAMILY; i += 1) {
        state.storage.sql.exec(
          "INSERT INTO metric_series (name, labels, value) VALUES (?, ?, 1)",
          "edgeflow_webhook_verification_failures_total",
          JSON.stringify([["reason", `old.reason-${i}`]]),
        );
      }
    });
    for (let i = 0; i < 2; i += 1) {
      const forged = await postHook(id, "/workflow/trigger", '{"ref":"main"}', {
        "x-hub-signature-256": "sha256=00",
      });
      expect(forged.status).toBe(401);
    }
    const rows = await runInDurableObject(tenantObject(id), (_instance, state) =>
      state.storage.sql
        .exec<{ n: number }>(
          "SELECT COUNT(*) AS n FROM metric_series WHERE name = 'edgeflow_webhook_verification_failures_total'",
        )
        .one(),
    );
    expect(rows.n).toBe(MAX_SERIES_PER_FAMILY + 1);
    const res = await SELF.fetch(`${BASE}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } });
    const samples = parseExposition(await res.text());
    expect(
      sampleSum(samples, "edgeflow_webhook_verification_failures_total", {
        tenant: id,
        reason: OTHER_LABEL_VALUE,
      }),
    ).toBe(2);
    expect(sampleSum(samples, "edgeflow_webhook_verification_failures_total", { tenant: id })).toBe(
      MAX_SERIES_PER_FAMILY + 2,
    );
  }, 60_000);
});
