/**
 * @module
 * A RunDO's copy of its tenant's decrypted secrets, for the `env` scope of each transition and to
 * redact them from everything the RunDO answers. Held in memory only, never in the checkpoint.
 * The TenantDO hands them over when it starts the run; later transitions refresh them from the
 * TenantDO (`runSecrets`) once the copy is older than `SECRETS_TTL_MS`, so a changed secret
 * reaches running runs within that time without an extra call on every step.
 */
import type { MachineContext } from "../../engine/machine/types.ts";
import { redactValue } from "../../engine/state/index.ts";
import { type DurableObjectBindings, tenantStub } from "../bindings.ts";

export const SECRETS_TTL_MS = 5_000;

type Secrets = Readonly<Record<string, string>>;

export class RunSecrets {
  #copy: { tenant: string; values: Secrets; at: number } | undefined;

  /** `{env}` for a MachineContext (nothing when the tenant has no secrets). `seed` comes with a start. */
  async context(
    bindings: DurableObjectBindings,
    tenant: string | undefined,
    seed?: Secrets,
  ): Promise<{ env?: Record<string, string> }> {
    if (tenant === undefined) return {};
    const values = seed === undefined ? await this.values(bindings, tenant) : this.#keep(tenant, seed);
    return Object.keys(values).length === 0 ? {} : { env: { ...values } };
  }

  /** The tenant's secrets, from the copy while it is fresh. */
  async values(bindings: DurableObjectBindings, tenant: string): Promise<Secrets> {
    const copy = this.#copy;
    if (copy !== undefined && copy.tenant === tenant && Date.now() - copy.at < SECRETS_TTL_MS)
      return copy.values;
    try {
      const outcome = await tenantStub(bindings, tenant).runSecrets(tenant);
      return this.#keep(tenant, outcome.ok ? outcome.value : {});
    } catch (error) {
      if (copy !== undefined && copy.tenant === tenant) return copy.values;
      throw error;
    }
  }

  /** `value` with every secret of the transition's `env` replaced by "[redacted]". */
  redact<T>(value: T, machine: Pick<MachineContext, "env">): T {
    if (machine.env === undefined || Object.keys(machine.env).length === 0) return value;
    return redactValue(value, machine.env) as T;
  }

  /** `value` with every secret this RunDO has seen replaced (for errors and logs outside a transition). */
  redactKnown<T>(value: T): T {
    const values = this.#copy?.values;
    if (values === undefined || Object.keys(values).length === 0) return value;
    return redactValue(value, values) as T;
  }

  #keep(tenant: string, values: Secrets): Secrets {
    this.#copy = { tenant, values, at: Date.now() };
    return values;
  }
}

/** The tenant of the run stored in a RunDO, read without loading the checkpoint. */
export function tenantOfRun(sql: SqlStorage): string | undefined {
  return sql.exec<{ tenant: string }>("SELECT tenant FROM run LIMIT 1").toArray()[0]?.tenant;
}
