/** Helpers for tests that reach into a run's Durable Object. */
import { env, runInDurableObject } from "cloudflare:test";
import { decodeCheckpoint } from "../../../durable-objects/run/checkpoint-format.ts";
import { decodeDefinition } from "../../../durable-objects/storage/stored-definition.ts";
import type { RunState } from "../../../engine/machine/run-model.ts";
import { callTool } from "./clients.ts";

export function runObject(tenant: string, runId: string): DurableObjectStub {
  return env.RUN_DO.get(env.RUN_DO.idFromName(`${tenant}/${runId}`));
}

export function tenantObject(tenant: string): DurableObjectStub {
  return env.TENANT_DO.get(env.TENANT_DO.idFromName(tenant));
}

/** The run's checkpoint and armed alarm, read inside the DO. */
export async function inspectRun(
  tenant: string,
  runId: string,
): Promise<{ state: RunState; alarm: number | null }> {
  return runInDurableObject(runObject(tenant, runId), async (_instance, state) => {
    const row = state.storage.sql
      .exec<{ state: string; definition: string }>("SELECT state, definition FROM run")
      .one();
    const definition = decodeDefinition(row.definition);
    return { state: decodeCheckpoint(row.state, definition), alarm: await state.storage.getAlarm() };
  });
}

export async function publishAndStart(
  apiKey: string,
  yaml: string,
  inputs: Record<string, unknown> = {},
): Promise<string> {
  const published = await callTool(apiKey, "workflow_publish", { yaml });
  if (published.isError) throw new Error(published.text);
  const started = await callTool(apiKey, "workflow_start", {
    workflow: published.structured.workflow,
    inputs,
  });
  if (started.isError) throw new Error(started.text);
  return started.structured.workflow_id as string;
}
