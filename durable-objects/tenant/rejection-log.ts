/**
 * @module
 * Webhook deliveries refused with 401 go into the tenant's event log as `rejected` events (the
 * code and message, never the unverified body), so a sender signing with the wrong secret is
 * visible in `workflow_events`. At most `MAX_LOGGED_REJECTIONS_PER_MINUTE` a minute, counted in
 * memory, and at most `MAX_STORED_REJECTIONS` kept (the oldest go as new ones come, apart from
 * the cap on other events): unauthenticated traffic cannot fill the log or push accepted events
 * out of it.
 */

import type { ErrorCode } from "../../engine/errors.ts";
import { randomHex } from "./event-ids.ts";
import { insertEvent, pruneRejections } from "./event-log.ts";

export const MAX_LOGGED_REJECTIONS_PER_MINUTE = 30;

export class RejectionLog {
  #windowStart = 0;
  #count = 0;

  record(
    sql: SqlStorage,
    endpoint: string,
    now: number,
    rejection: { code: ErrorCode; message: string },
  ): void {
    if (now - this.#windowStart >= 60_000 || now < this.#windowStart) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (++this.#count > MAX_LOGGED_REJECTIONS_PER_MINUTE) return;
    insertEvent(sql, {
      id: `rejected_${randomHex(12)}`,
      type: "webhook",
      source: endpoint,
      receivedAt: now,
      status: "rejected",
      error: { code: rejection.code, message: rejection.message },
    });
    pruneRejections(sql);
  }
}
