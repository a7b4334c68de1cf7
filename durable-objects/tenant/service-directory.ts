/**
 * @module
 * Finding the service an effect names (`external_call.service`, `notify.channel`, an
 * `on_complete`'s channel, an `external_state` backend) for one run: a `ResolvedService` (one exact
 * plugin version, configuration with `{{ env.NAME }}` unresolved). The catalog (workflow
 * `services:` blocks with versions resolved at publish, tenant-registered services) provides the
 * real lookup; until it does, services come from `registerService`, the injection point tests
 * and the crash test's entry point use. Where the two meet: `findService` is the one function the
 * effect runner calls.
 */
import type { ResolvedService } from "../../engine/plugins/descriptor.ts";

/** What the effect runner knows when it looks a service up. */
export interface ServiceQuery {
  tenant: string;
  workflow: string;
  version: string;
  service: string;
}

export type ServiceFinder = (query: ServiceQuery) => ResolvedService | undefined;

const registered = new Map<string, ResolvedService>();
const finders: ServiceFinder[] = [];

/** A service for every workflow of `tenant` (tests; the catalog's tenant services replace this). */
export function registerService(tenant: string, service: ResolvedService): void {
  registered.set(`${tenant}\u0000${service.name}`, service);
}

export function unregisterService(tenant: string, name: string): void {
  registered.delete(`${tenant}\u0000${name}`);
}

/** Adds a lookup consulted before the registered services (the catalog plugs in here). */
export function addServiceFinder(finder: ServiceFinder): void {
  finders.push(finder);
}

export function findService(query: ServiceQuery): ResolvedService | undefined {
  for (const finder of finders) {
    const found = finder(query);
    if (found !== undefined) return found;
  }
  return registered.get(`${query.tenant}\u0000${query.service}`);
}
