/**
 * @module
 * Which tenant this TenantDO holds, remembered for the webhook intake (issue 16). Reading it costs
 * two statements (is the schema there, then the tenant row) on every delivery; once an object holds
 * a tenant, only the erasure changes that (`eraseTenant` deletes all storage and builds every
 * in-memory helper afresh, this one too), so the id is read once per object life. Only a tenant
 * found is remembered: an object that holds none is read again each time, so a tenant created
 * later is seen at once. `EDGEFLOW_INTAKE_MEMOS=off` reads the row on every call (the benchmark
 * measures both).
 */
import { readTenant } from "./registration.ts";

export class KnownTenant {
  readonly #sql: SqlStorage;
  readonly #remember: boolean;
  #id: string | undefined;

  /** `remember` false: read on every call (the switch's off position). */
  constructor(sql: SqlStorage, remember: boolean) {
    this.#sql = sql;
    this.#remember = remember;
  }

  /** The id of the tenant this object holds, or null when it holds none. */
  id(): string | null {
    if (this.#id !== undefined) return this.#id;
    const stored = readTenant(this.#sql);
    if (stored === null) return null;
    if (this.#remember) this.#id = stored.id;
    return stored.id;
  }
}

/** Whether the intake's in-memory memos are on (`EDGEFLOW_INTAKE_MEMOS`, default on). */
export function intakeMemosOn(setting: string | undefined): boolean {
  return setting !== "off";
}
