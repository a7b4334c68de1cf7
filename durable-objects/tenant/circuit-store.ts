/**
 * @module
 * Where the TenantDO keeps its circuit breakers (engine/plugins/circuit.ts): one entry per
 * service in the object's synchronous key-value storage (`circuit:<service>`), durable and shared
 * by every run of the tenant. No SQL table: nothing queries them but by service name and a full
 * listing for the `service_circuits` tool.
 */
import {
  type CircuitSettings,
  type CircuitState,
  CLOSED,
  circuitStatusAt,
} from "../../engine/plugins/circuit.ts";
import type { CircuitView } from "./contracts.ts";

const PREFIX = "circuit:";

interface StoredCircuit {
  state: CircuitState;
  settings: CircuitSettings;
}

export class CircuitStore {
  readonly #kv: SyncKvStorage;

  constructor(kv: SyncKvStorage) {
    this.#kv = kv;
  }

  has(service: string): boolean {
    return this.#kv.get(PREFIX + service) !== undefined;
  }

  read(service: string): CircuitState {
    return this.#kv.get<StoredCircuit>(PREFIX + service)?.state ?? CLOSED;
  }

  write(service: string, state: CircuitState, settings: CircuitSettings): void {
    this.#kv.put<StoredCircuit>(PREFIX + service, { state, settings });
  }

  list(now: number): CircuitView[] {
    const views: CircuitView[] = [];
    for (const [key, stored] of this.#kv.list<StoredCircuit>({ prefix: PREFIX })) {
      const view: CircuitView = {
        service: key.slice(PREFIX.length),
        status: circuitStatusAt(stored.state, stored.settings, now),
        consecutive_failures: stored.state.consecutiveFailures,
        failure_threshold: stored.settings.failureThreshold,
        cool_down_seconds: stored.settings.coolDownSeconds,
      };
      if (stored.state.openedAt !== undefined) view.opened_at = new Date(stored.state.openedAt).toISOString();
      views.push(view);
    }
    return views;
  }
}
