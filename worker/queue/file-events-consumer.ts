/**
 * @module
 * The Queue consumer for R2 event notifications: each message becomes a `file_change` event
 * (`source: "r2:<bucket>"`), and a batch's events go to each tenant's DO in one call (one
 * commit), through the same match-store-start path as `POST /events`. The event id is
 * `r2:<message id>`, so a redelivered message is recognised and starts nothing twice. A message
 * that is not a file change of a known tenant is acknowledged and logged (retrying cannot help);
 * a failure to reach the DO retries that tenant's messages. A tenant prefix that is not in the
 * registry is dropped before any DO is reached.
 */
import { tenantStub } from "../../durable-objects/bindings.ts";
import type { PostedEvent } from "../../durable-objects/tenant/contracts.ts";
import type { Env } from "../env.ts";
import { isRegisteredTenant } from "../tenancy/tenant-registry.ts";
import { fileChangeOfR2Notification } from "./r2-notification.ts";

export async function consumeFileEvents(
  batch: MessageBatch<unknown>,
  env: Env,
  _ctx?: ExecutionContext,
): Promise<void> {
  const byTenant = new Map<string, { message: Message<unknown>; event: PostedEvent }[]>();
  const now = Date.now();
  for (const message of batch.messages) {
    const change = fileChangeOfR2Notification(message.body);
    if (!change.ok) {
      console.warn(`queue ${message.id}: dropped (${change.reason})`);
      message.ack();
      continue;
    }
    const event: PostedEvent = {
      id: `r2:${message.id}`,
      type: "file_change",
      source: `r2:${change.bucket}`,
      payload: { path: change.path, change: change.change },
      now,
    };
    byTenant.set(change.tenant, [...(byTenant.get(change.tenant) ?? []), { message, event }]);
  }
  await Promise.all([...byTenant].map(([tenant, items]) => deliver(env, tenant, items)));
}

async function deliver(
  env: Env,
  tenant: string,
  items: { message: Message<unknown>; event: PostedEvent }[],
): Promise<void> {
  try {
    if (!(await isRegisteredTenant(env, tenant))) {
      console.warn(`queue: ${items.length} message(s) for unknown tenant ${tenant} dropped`);
      for (const item of items) item.message.ack();
      return;
    }
    const outcome = await tenantStub(env, tenant).receiveEvents(
      tenant,
      items.map((item) => item.event),
    );
    if (!outcome.ok)
      console.warn(`queue: ${items.length} message(s) for ${tenant} dropped (${outcome.error.code})`);
    for (const item of items) item.message.ack();
  } catch (error) {
    console.error(`queue: ${items.length} message(s) for ${tenant} will be retried`, String(error));
    for (const item of items) item.message.retry();
  }
}
