/**
 * @module
 * Subscriptions over MCP: `workflow_subscribe_events` (start a workflow whenever matching events
 * arrive, without editing its YAML), `workflow_unsubscribe`, `workflow_list_subscriptions`
 * (including those registered by the workflows' own `triggers:`).
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { eventPatternSchema, MAX_EXPRESSION_LENGTH } from "../../../engine/events/index.ts";
import { workflowNameArg } from "../schemas.ts";
import { subscriptionView, subscriptionViewSchema } from "../subscription-view.ts";
import { defineTool } from "../tool-kit.ts";

const subscriptionIdArg = z
  .string()
  .min(1)
  .max(256)
  .describe("The subscription_id that workflow_subscribe_events returned (see workflow_list_subscriptions)");

export const workflowSubscribeEvents = defineTool({
  name: "workflow_subscribe_events",
  title: "Subscribe a workflow to events",
  description:
    "Starts a run of `workflow` (its default version) for every event whose type matches `event_pattern`: " +
    "exact (`deploy.requested`, `file_change`) or with * matching any characters (`github.*`, `*`). " +
    "Events arrive as signed webhooks, schedule fires, file changes (edgeflow watch, R2) and POST /events. " +
    "`filter` is a JavaScript expression over the event, whose fields are visible bare and under `event.` " +
    '(e.g. "!path.includes(\'test\')", "payload.amount > 100"); a run starts only when it is truthy. ' +
    '`inputs_mapping` maps input names to expressions or {{ templates }} over the event (e.g. {"file": "path"}; ' +
    "quote constants: \"'main'\"). Each matching event starts its own run; workflow_events shows what happened. " +
    "Triggers written in the workflow's YAML subscribe by themselves on workflow_publish.",
  input: z.strictObject({
    event_pattern: eventPatternSchema,
    workflow: workflowNameArg,
    filter: z
      .string()
      .min(1)
      .max(MAX_EXPRESSION_LENGTH)
      .optional()
      .describe("JavaScript over the event; the run starts only when truthy"),
    inputs_mapping: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().min(1).max(MAX_EXPRESSION_LENGTH))
      .optional()
      .describe("input name → expression or {{ template }} over the event"),
  }),
  output: subscriptionViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { env, tenant, audit }) {
    const request = {
      event_pattern: args.event_pattern,
      workflow: args.workflow,
      ...(args.filter === undefined ? {} : { filter: args.filter }),
      ...(args.inputs_mapping === undefined ? {} : { inputs_mapping: args.inputs_mapping }),
    };
    return subscriptionView(await unwrap(tenantStub(env, tenant).subscribe(tenant, request, audit)));
  },
});

export const workflowUnsubscribe = defineTool({
  name: "workflow_unsubscribe",
  title: "Remove a subscription",
  description:
    "Removes a subscription made with workflow_subscribe_events: no further runs start from it (runs already " +
    "started go on). Subscriptions that come from a workflow's own `triggers:` are refused " +
    "(subscription.from_trigger): disable the trigger in the YAML (`enabled: false`) and publish a new version.",
  input: z.strictObject({ subscription_id: subscriptionIdArg }),
  output: z.object({ subscription_id: z.string(), removed: z.literal(true) }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ subscription_id }, { env, tenant, audit }) {
    await unwrap(tenantStub(env, tenant).unsubscribe(tenant, subscription_id, audit));
    return { subscription_id, removed: true as const };
  },
});

export const workflowListSubscriptions = defineTool({
  name: "workflow_list_subscriptions",
  title: "List subscriptions",
  description:
    "Lists what starts your workflows on its own: subscriptions registered by published `triggers:` " +
    "(webhook endpoints, cron schedules with their next fire time, file-change globs, custom event types) and " +
    "those made with workflow_subscribe_events, each with its filter and inputs_mapping. Pass `workflow` to " +
    "see one workflow's. Webhook secrets are never shown. workflow_events shows what the events did.",
  input: z.strictObject({ workflow: workflowNameArg.optional() }),
  output: z.object({ subscriptions: z.array(subscriptionViewSchema), count: z.number().int() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ workflow }, { env, tenant }) {
    const listed = await unwrap(tenantStub(env, tenant).listSubscriptions(tenant, workflow));
    const schedules = new Map(listed.schedules.map((schedule) => [schedule.id, schedule]));
    const subscriptions = listed.subscriptions.map((stored) =>
      subscriptionView(stored, schedules.get(stored.subscription.id)),
    );
    return { subscriptions, count: subscriptions.length };
  },
});
