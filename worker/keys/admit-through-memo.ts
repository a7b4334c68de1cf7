/**
 * @module
 * How a `/mcp` caller is admitted with the isolate's memo (admitted-callers.ts) in front of the
 * TenantDO: a fresh positive answer admits from memory (its rate-limit units counted); otherwise the
 * TenantDO is asked, with the units the memo admitted since the last call handed over as
 * `Admission.carried` so that they are charged, and a positive answer is remembered. A refusal is
 * passed on and drops the entry. `EDGEFLOW_MCP_KEY_CACHE=0`: the TenantDO is asked every time.
 */
import type { Admission } from "../../durable-objects/tenant/contracts.ts";
import { isEngineError } from "../../engine/errors.ts";
import type { RateLimitVerdict } from "../../engine/rate-limits/rate-limited-error.ts";
import { admittedCallerMemoOn, admittedCallers } from "./admitted-callers.ts";

/** The TenantDO's answer for an admitted caller (a refusal throws, or says `admitted: false`). */
export interface CallerAdmission {
  rateLimit?: RateLimitVerdict;
}

/**
 * Admits the caller `identity` of `tenant` for `admission`: from the memo when it can, else by
 * `ask` (the TenantDO call: it must check the credential, the tenant's state and charge the
 * admission, carried units included).
 */
export async function admitThroughMemo(
  env: { EDGEFLOW_MCP_KEY_CACHE?: string },
  tenant: string,
  identity: string,
  admission: Admission | undefined,
  ask: (admission: Admission | undefined) => Promise<CallerAdmission>,
): Promise<CallerAdmission> {
  if (!admittedCallerMemoOn(env)) return ask(admission);
  const remembered = admittedCallers.admit(tenant, identity, admission?.cost);
  if (remembered !== undefined) return remembered;
  const askedAt = admittedCallers.now();
  const carried = admittedCallers.takeUnreported(tenant, identity);
  const asked = admission === undefined || carried === 0 ? admission : { ...admission, carried };
  let answer: CallerAdmission;
  try {
    answer = await ask(asked);
  } catch (thrown) {
    // refused by the TenantDO: nothing is remembered; not reached: the units are still owed
    if (!isEngineError(thrown)) admittedCallers.carryBack(tenant, identity, carried);
    throw thrown;
  }
  if (answer.rateLimit !== undefined && !answer.rateLimit.admitted) return answer;
  admittedCallers.remember(tenant, identity, askedAt, answer.rateLimit);
  return answer;
}
