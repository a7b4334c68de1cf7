/** Helpers for effect tests: plugins and services registered, runs driven by their alarm. */
import { inject } from "vitest";
import { registerPlugin } from "../../../durable-objects/tenant/plugin-registry.ts";
import { registerService } from "../../../durable-objects/tenant/service-directory.ts";
import type { RunState } from "../../../engine/machine/run-model.ts";
import type { ResolvedService } from "../../../engine/plugins/descriptor.ts";
import { inspectRun } from "./runs.ts";
import { TEST_PLUGINS } from "./test-plugins.ts";

export function target(): string {
  return inject("httpTarget");
}

export function installTestPlugins(): void {
  for (const plugin of TEST_PLUGINS) registerPlugin(plugin);
}

export function service(tenant: string, name: string, plugin: string, config: Record<string, unknown>): void {
  const resolved: ResolvedService = { name, plugin, version: "1.0.0", config };
  registerService(tenant, resolved);
}

export interface TargetRequest {
  path: string;
  key: string | null;
  authorization: string | null;
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
