/**
 * Helpers for effect tests: the local HTTP target, tenant services registered through
 * `service_register`, services and plugins of the effect runner's own tests, runs driven by their
 * alarm.
 */
import { inject } from "vitest";
import type { ServiceSource } from "../../../durable-objects/tenant/effect-runner.ts";
import { findPlugin, type PluginFinder } from "../../../durable-objects/tenant/plugin-registry.ts";
import type { RunState } from "../../../engine/machine/run-model.ts";
import type { ResolvedService } from "../../../engine/plugins/descriptor.ts";
import { callTool } from "./clients.ts";
import { inspectRun } from "./runs.ts";
import { httpTestPlugin } from "./test-plugins.ts";

export function target(): string {
  return inject("httpTarget");
}

/** Registers a tenant service as an agent would (`service_register`, resolved against the catalog). */
export async function registerTenantService(
  apiKey: string,
  name: string,
  uses: string,
  config: Record<string, unknown>,
): Promise<void> {
  const answer = await callTool(apiKey, "service_register", { name, uses, config });
  if (answer.isError) throw new Error(`service_register ${name}: ${JSON.stringify(answer.structured)}`);
}

/** The services of `runEffect` calls made by a test, by tenant and name (every version alike). */
const testServices = new Map<string, ResolvedService>();

/** A service the effect runner finds for `tenant` in tests that call `runEffect` themselves. */
export function service(tenant: string, name: string, plugin: string, config: Record<string, unknown>): void {
  testServices.set(`${tenant}\u0000${name}`, { name, plugin, version: "1.0.0", config });
}

export function testServiceSource(tenant: string): ServiceSource {
  return {
    serviceOfVersion: (_workflow, _version, name) => testServices.get(`${tenant}\u0000${name}`),
    externalStateOfVersion: () => undefined,
  };
}

/** The first-party plugins plus `http-test`. */
export const testPluginFinder: PluginFinder = (name, version) =>
  name === httpTestPlugin.name && version === httpTestPlugin.version
    ? httpTestPlugin
    : findPlugin(name, version);

export interface TargetRequest {
  path: string;
  key: string | null;
  authorization: string | null;
  traceparent: string | null;
  body: unknown;
}

export async function targetLog(): Promise<TargetRequest[]> {
  return (await (await fetch(`${target()}/log`)).json()) as TargetRequest[];
}

/**
 * Waits while the run's alarm (miniflare fires alarms by itself) performs its effects, until the
 * run has no outstanding effect and no alarm due; a run waiting on a future timer stops here.
 * Answers the checkpoint. Polls with short pauses (never asserting a time); it does not fire the
 * alarm itself, as `runDurableObjectAlarm` racing the runtime's own alarm cancels the handler
 * that is running.
 */
export async function driveEffects(tenant: string, runId: string, maxPolls = 500): Promise<RunState> {
  for (let poll = 0; poll < maxPolls; poll += 1) {
    const { state, alarm } = await inspectRun(tenant, runId);
    const outstanding = (state.effects?.length ?? 0) > 0;
    if (!outstanding && (alarm === null || alarm > Date.now())) return state;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return (await inspectRun(tenant, runId)).state;
}
