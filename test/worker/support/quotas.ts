/** Helpers for the quota tests: set a tenant's settings and read its usage, as the admin. */
import { expect } from "vitest";
import { adminFetch } from "./clients.ts";

export interface UsageView {
  quotas: { quota: string; limit: number; usage: number | null; default: number; counts: string }[];
  active_runs_policy: string;
  queued_starts: number;
}

export async function setSettings(tenant: string, patch: Record<string, unknown>): Promise<Response> {
  return adminFetch(`/admin/tenants/${tenant}/settings`, { method: "PATCH", body: JSON.stringify(patch) });
}

export async function usageOf(tenant: string): Promise<UsageView> {
  const res = await adminFetch(`/admin/tenants/${tenant}/usage`);
  expect(res.status).toBe(200);
  return (await res.json()) as UsageView;
}

/** One quota's usage by name. */
export function usedOf(view: UsageView, quota: string): number | null | undefined {
  return view.quotas.find((q) => q.quota === quota)?.usage;
}
