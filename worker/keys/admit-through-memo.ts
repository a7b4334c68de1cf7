/**
 * @module
 * How a `/mcp` caller is admitted with the isolate's memo (admitted-callers.ts) in front of the
 * TenantDO: a fresh positive answer admits from memory, out of the units the TenantDO charged ahead
 * for it (a lease); otherwise the TenantDO is asked, with a lease to charge ahead and the unused
 * units of the last one to give back, and a positive answer is remembered. A refusal is passed on
 * and drops the entry. `EDGEFLOW_MCP_KEY_CACHE=0`: the TenantDO is asked every time.
 */
import type { Admission, LeasedVerdict } from "../../durable-objects/tenant/contracts.ts";
import { isEngineError } from "../../engine/errors.ts";
import type { RateLimitVerdict } from "../../engine/rate-limits/rate-limited-error.ts";
import { admittedCallerMemoOn, admittedCallers } from "./admitted-callers.ts";

/** The TenantDO's answer for an admitted caller (a refusal throws, or says `admitted: false`). */
export interface CallerAdmission {
  rateLimit?: LeasedVerdict;
}

/**
 * Admits the caller `identity` of `tenant` for `admission`: from the memo when it can, else by
 * `ask` (the TenantDO call: it must check the credential, the tenant's state and charge the
 * admission, its lease and refund included).
 */
export async function admitThroughMemo(
  env: { EDGEFLOW_MCP_KEY_CACHE?: string },
  tenant: string,
  identity: string,
  admission: Admission | undefined,
  ask: (admission: Admission | undefined) => Promise<CallerAdmission>,
): Promise<{ rateLimit?: RateLimitVerdict }> {
  if (!admittedCallerMemoOn(env)) return withoutLease(await ask(admission));
  const remembered = admittedCallers.admit(tenant, identity, admission?.cost);
  if (remembered !== undefined) return remembered;
  const askedAt = admittedCallers.now();
  const { lease, refund } = admittedCallers.takeForAsk(tenant, identity);
  const asked: Admission | undefined =
    admission === undefined
      ? undefined
      : { ...admission, ...(lease > 0 ? { lease } : {}), ...(refund === undefined ? {} : { refund }) };
  let answer: CallerAdmission;
  try {
    answer = await ask(asked);
  } catch (thrown) {
    // refused by the TenantDO: nothing is remembered; not reached: the refund is still owed
    if (!isEngineError(thrown)) admittedCallers.keepRefund(tenant, identity, refund);
    throw thrown;
  }
  const verdict = withoutLease(answer).rateLimit;
  if (verdict !== undefined && !verdict.admitted) return { rateLimit: verdict };
  admittedCallers.remember(tenant, identity, askedAt, verdict, answer.rateLimit?.lease);
  return verdict === undefined ? {} : { rateLimit: verdict };
}

/** The answer as the caller sees it: the lease is the memo's business. */
function withoutLease(answer: CallerAdmission): { rateLimit?: RateLimitVerdict } {
  if (answer.rateLimit === undefined) return {};
  const { lease: _lease, ...verdict } = answer.rateLimit;
  return { rateLimit: verdict };
}
