/**
 * @module
 * The Queue consumer for R2 event notifications: each message becomes a `file_change` event
 * (`source: "r2:<bucket>"`) posted to its tenant's DO, through the same match-store-start path as
 * `POST /events`. The event id is `r2:<message id>`, so a redelivered message is recognised and
 * starts nothing twice. A message that is not a file change of a known tenant is acknowledged
 * and logged (retrying cannot help); a failure to reach the DO is retried by the Queue.
 */
import { tenantStub } from "../../durable-objects/bindings.ts";
import type { Env } from "../env.ts";
import { fileChangeOfR2Notification } from "./r2-notification.ts";

export async function consumeFileEvents(
  batch: MessageBatch<unknown>,
  env: Env,
  _ctx?: ExecutionContext,
): Promise<void> {
  await Promise.all(batch.messages.map((message) => consumeOne(message, env)));
}

async function consumeOne(message: Message<unknown>, env: Env): Promise<void> {
  const change = fileChangeOfR2Notification(message.body);
  if (!change.ok) {
    console.warn(`queue ${message.id}: dropped (${change.reason})`);
    message.ack();
    return;
  }
  try {
    const outcome = await tenantStub(env, change.tenant).receiveEvent(change.tenant, {
      id: `r2:${message.id}`,
      type: "file_change",
      source: `r2:${change.bucket}`,
      payload: { path: change.path, change: change.change },
      now: Date.now(),
    });
    if (!outcome.ok)
      console.warn(`queue ${message.id}: dropped (${outcome.error.code}: ${outcome.error.message})`);
    message.ack();
  } catch (error) {
    console.error(`queue ${message.id}: will retry`, String(error));
    message.retry();
  }
}
