/**
 * Log entries are bounded too (issue 9, class 5): an event whose subscriptions all failed with
 * long messages (a filter can throw any string) keeps each entry's error within
 * MAX_LOG_ERROR_CHARS, and every event-log page stays within its byte budget: when one event's
 * entries alone are over it, they are cut and the page says how many were left out
 * (`matches_truncated`). Every `workflow_events` call answers, and paging returns every event.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  insertEvent,
  insertLogEntries,
  MAX_LOG_ERROR_CHARS,
} from "../../durable-objects/tenant/event-log.ts";
import { queryEventPage } from "../../durable-objects/tenant/event-pages.ts";
import { callTool, newTenant } from "./support/clients.ts";
import { tenantObject } from "./support/runs.ts";

const EVENTS = 3;
const ENTRIES = 3_000;
const LONG_MESSAGE = "boom ".repeat(1_000);

function seedFailingEvents(sql: SqlStorage): void {
  for (let n = 0; n < EVENTS; n++) {
    const id = `evt_long_${n}`;
    insertEvent(sql, {
      id,
      type: "spin",
      source: "api",
      receivedAt: 1_000 + n,
      status: "accepted",
      event: { id, type: "spin", source: "api", payload: { n }, receivedAt: 1_000 + n },
    });
    insertLogEntries(
      sql,
      id,
      Array.from({ length: ENTRIES }, (_, position) => ({
        position,
        subscriptionId: `spin:${position % 60}#t${position}`,
        workflow: `spin:${position % 60}`,
        outcome: "filter_error" as const,
        error: { code: "expression.runtime", message: LONG_MESSAGE, path: "filter" },
      })),
    );
  }
}

describe("event log entries", () => {
  it("cuts each stored error, and keeps every page within its byte budget", async () => {
    const tenant = await newTenant("entries");
    await runInDurableObject(tenantObject(tenant.id), (_instance, state) => {
      const { sql } = state.storage;
      seedFailingEvents(sql);
      for (const maxBytes of [64 * 1024, 1024 * 1024]) {
        let after: { receivedAt: number; id: string } | undefined;
        const seen: string[] = [];
        for (let pages = 0; pages < 10; pages++) {
          const page = queryEventPage(sql, {
            limit: 200,
            maxBytes,
            ...(after === undefined ? {} : { after }),
          });
          expect(JSON.stringify(page.events).length).toBeLessThanOrEqual(maxBytes);
          for (const event of page.events) {
            seen.push(event.record.id);
            expect(event.entries.length + (event.matchesTruncated ?? 0)).toBe(ENTRIES);
            for (const entry of event.entries) {
              expect(entry.error?.message.length).toBeLessThanOrEqual(MAX_LOG_ERROR_CHARS + 64);
            }
          }
          if (page.next === undefined) break;
          after = page.next;
        }
        expect(seen.sort()).toEqual(Array.from({ length: EVENTS }, (_, n) => `evt_long_${n}`));
      }
    });
    const answer = await callTool(tenant.apiKey, "workflow_events", { limit: 200 });
    expect(answer.isError).toBeFalsy();
    const [first] = answer.structured.events as { matches: unknown[]; matches_truncated?: number }[];
    expect(first?.matches_truncated).toBeGreaterThan(0);
    expect((first?.matches.length ?? 0) + (first?.matches_truncated ?? 0)).toBe(ENTRIES);
  });
});
