/**
 * What one anonymous webhook delivery may cost, end to end (issue 9, class 3): publish refuses
 * a workflow that would put more than MAX_ENDPOINT_VERIFICATIONS distinct (scheme, secret) pairs
 * on one endpoint, located at the trigger's secret, and a trigger listing more than
 * MAX_WEBHOOK_SECRETS secrets; what is published still verifies and refuses as before.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_ENDPOINT_VERIFICATIONS, MAX_WEBHOOK_SECRETS } from "../../engine/events/index.ts";
import { callTool, newTenant } from "./support/clients.ts";
import { HOOK_SECRET, postHook, publish, setSecret, sign } from "./support/events.ts";

function hookWorkflow(name: string, secrets: string[]): string {
  return `name: "${name}"
description: "Listens on the shared endpoint"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/shared"
    secret: [${secrets.map((secret) => `"${secret}"`).join(", ")}]
steps:
  - id: "note"
    type: "user_message"
    message: "got it"
`;
}

const secretNames = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `{{ env.${prefix}_${i} }}`);

let tenant: { id: string; apiKey: string };

beforeAll(async () => {
  tenant = await newTenant("hooklimits");
  await setSecret(tenant.id, "W0_0", HOOK_SECRET);
  // 5 workflows x 3 secrets = 15 distinct pairs on /shared
  for (let w = 0; w < 5; w++)
    await publish(tenant.apiKey, hookWorkflow(`hooks:w${w}`, secretNames(`W${w}`, 3)));
});

describe("webhook secret limits at publish", () => {
  it(`refuses a trigger listing more than ${MAX_WEBHOOK_SECRETS} secrets, located`, async () => {
    const call = await callTool(tenant.apiKey, "workflow_publish", {
      yaml: hookWorkflow("hooks:long", secretNames("L", MAX_WEBHOOK_SECRETS + 1)),
    });
    expect(call.isError).toBe(true);
    expect(call.text).toContain("triggers[0].secret");
    expect(call.text).toContain(`at most ${MAX_WEBHOOK_SECRETS} secrets`);
  });

  it(`refuses an endpoint that would need more than ${MAX_ENDPOINT_VERIFICATIONS} distinct checks`, async () => {
    const call = await callTool(tenant.apiKey, "workflow_publish", {
      yaml: hookWorkflow("hooks:crowded", secretNames("C", 2)),
    });
    expect(call.isError).toBe(true);
    expect(call.text).toContain("subscription.too_many_secrets");
    expect(call.text).toContain("triggers[0].secret");
    // sharing a secret already on the endpoint adds no check: accepted
    await publish(tenant.apiKey, hookWorkflow("hooks:sharing", ["{{ env.W0_0 }}", "{{ env.W1_1 }}"]));
  });

  it("still verifies a delivery for every subscriber that shares the secret, and refuses a bad one", async () => {
    const body = JSON.stringify({ hello: "world" });
    const good = await postHook(tenant.id, "/shared", body, await sign("standard", HOOK_SECRET, body));
    expect(good.status).toBe(202);
    expect(good.body.runs).toHaveLength(2);
    const bad = await postHook(tenant.id, "/shared", body, {
      "webhook-id": "msg_1",
      "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
      "webhook-signature": "v1,AAAA",
    });
    expect(bad.status).toBe(401);
    expect(bad.body.error?.code).toBe("webhook.bad_signature");
  });
});
