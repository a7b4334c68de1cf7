/**
 * R2 event notifications through the Queue consumer (the worker's `queue` handler): objects under
 * `<tenant>/<path>` become file_change events for that tenant, through the same match-store-start
 * path as POST /events; a redelivered message starts nothing twice; messages that are not file
 * changes of a known tenant are acknowledged and dropped.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import { newTenant } from "./support/clients.ts";
import { eventLog, publish, settledEvent } from "./support/events.ts";

const ON_UPLOAD = `name: "files:ingest"
description: "Ingests uploaded documents"
version: "1.0.0"
inputs:
  key:
    type: "string"
    description: "Object path"
triggers:
  - type: file_change
    pattern: "inbox/**"
    events: [created]
    inputs_mapping:
      key: "path"
steps:
  - id: "read"
    type: "user_message"
    message: "ingest {{ inputs.key }} from {{ event.source }}"
`;

function notification(action: string, key: string) {
  return {
    account: "0123456789abcdef",
    action,
    bucket: "edgeflow-files",
    object: { key, size: 12, eTag: "c846ff7a18f28c2e262116d6e8719ef0" },
    eventTime: "2030-01-15T12:00:00.000Z",
  };
}

async function deliver(messages: { id: string; body: unknown }[]) {
  const batch = createMessageBatch(
    "edgeflow-file-events",
    messages.map((message) => ({ ...message, timestamp: new Date(), attempts: 1 })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("R2 notifications through the queue", () => {
  it("become file_change events of the tenant named by the key", async () => {
    const { id, apiKey } = await newTenant("r2");
    await publish(apiKey, ON_UPLOAD);
    const result = await deliver([
      { id: "m-put", body: notification("PutObject", `${id}/inbox/report.pdf`) },
      { id: "m-del", body: notification("DeleteObject", `${id}/inbox/old.pdf`) },
      { id: "m-other", body: notification("PutObject", `${id}/archive/x.pdf`) },
      { id: "m-junk", body: "not a notification" },
      { id: "m-nobody", body: notification("PutObject", "no-such-tenant/inbox/a.pdf") },
      { id: "m-nokey", body: notification("PutObject", "just-a-key") },
    ]);
    expect(result.retryMessages).toEqual([]);
    expect([...result.explicitAcks].sort()).toEqual([
      "m-del",
      "m-junk",
      "m-nobody",
      "m-nokey",
      "m-other",
      "m-put",
    ]);

    const events = await eventLog(apiKey, { type: "file_change", include_payload: true });
    expect(events.map((event) => [event.event_id, event.source, event.payload])).toEqual(
      expect.arrayContaining([
        ["r2:m-put", "r2:edgeflow-files", { path: "inbox/report.pdf", change: "created" }],
        ["r2:m-del", "r2:edgeflow-files", { path: "inbox/old.pdf", change: "deleted" }],
        ["r2:m-other", "r2:edgeflow-files", { path: "archive/x.pdf", change: "created" }],
      ]),
    );
    const put = await settledEvent(apiKey, "r2:m-put");
    expect(put.matches).toEqual([expect.objectContaining({ workflow: "files:ingest", outcome: "started" })]);
    expect((await settledEvent(apiKey, "r2:m-del")).matches).toEqual([]);
  });

  it("a redelivered message starts nothing twice", async () => {
    const { id, apiKey } = await newTenant("r2");
    await publish(apiKey, ON_UPLOAD);
    const message = { id: "m-again", body: notification("CompleteMultipartUpload", `${id}/inbox/big.bin`) };
    await deliver([message]);
    await deliver([message]);
    const [event] = await eventLog(apiKey, { event_id: "r2:m-again" });
    expect(event?.matches).toHaveLength(1);
    expect(await eventLog(apiKey, { type: "file_change" })).toHaveLength(1);
  });
});
