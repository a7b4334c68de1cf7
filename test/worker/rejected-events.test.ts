/**
 * Rejected webhook deliveries (anyone can send one) are kept under their own cap,
 * MAX_STORED_REJECTIONS, and never count toward the cap on other events: a stream of bad
 * signatures cannot push accepted events out of the log.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { insertEvent, MAX_STORED_REJECTIONS, pruneEvents } from "../../durable-objects/tenant/event-log.ts";
import {
  MAX_LOGGED_REJECTIONS_PER_MINUTE,
  RejectionLog,
} from "../../durable-objects/tenant/rejection-log.ts";
import { newTenant } from "./support/clients.ts";
import { tenantObject } from "./support/runs.ts";

const count = (sql: SqlStorage, status: string): number =>
  sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE status = ?", status).one().n;

describe("rejected deliveries in the event log", () => {
  it("are capped on their own as they come in", async () => {
    const tenant = await newTenant("rejected");
    await runInDurableObject(tenantObject(tenant.id), (_instance, state) => {
      const { sql } = state.storage;
      const log = new RejectionLog();
      const rejection = { code: "webhook.bad_signature" as const, message: "no match" };
      const deliveries = MAX_STORED_REJECTIONS + 200;
      for (let i = 0; i < deliveries; i++) {
        // a new minute every MAX_LOGGED_REJECTIONS_PER_MINUTE deliveries, so each one is logged
        const now = 1_000_000 + Math.floor(i / MAX_LOGGED_REJECTIONS_PER_MINUTE) * 60_000 + (i % 30);
        log.record(sql, "/hook", now, rejection);
      }
      expect(count(sql, "rejected")).toBe(MAX_STORED_REJECTIONS);
    });
  });

  it("never push accepted events out when the log is pruned to its cap", async () => {
    const tenant = await newTenant("rejected");
    await runInDurableObject(tenantObject(tenant.id), (_instance, state) => {
      const { sql } = state.storage;
      const keep = 50;
      for (let i = 0; i < keep; i++) {
        const id = `evt_ok_${i}`;
        insertEvent(sql, {
          id,
          type: "t",
          source: "api",
          receivedAt: 1_000 + i,
          status: "accepted",
          event: { id, type: "t", source: "api", payload: {}, receivedAt: 1_000 + i },
        });
      }
      // newer than every accepted event, and more of them than the cap on events
      for (let i = 0; i < 3 * keep; i++) {
        insertEvent(sql, {
          id: `rejected_${i}`,
          type: "webhook",
          source: "/hook",
          receivedAt: 10_000 + i,
          status: "rejected",
          error: { code: "webhook.bad_signature", message: "no match" },
        });
      }
      pruneEvents(sql, 0, keep);
      expect(count(sql, "accepted")).toBe(keep);
      expect(count(sql, "rejected")).toBe(3 * keep);
    });
  });
});
