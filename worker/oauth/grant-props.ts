/**
 * @module
 * What the OAuth provider hands the `/mcp` handler in `ctx.props`, and how the handler turns it
 * into a caller. Two shapes, both written only by this worker:
 * - `api_key`: an API key presented on this very request (all scopes). `resolveExternalToken`
 *   checked its shape and tenant; its hash is checked here, by the TenantDO, in the same call that
 *   refuses a suspended tenant and charges the rate limits (docs/runtime.md, "The MCP hot path");
 * - `grant`: the props of an OAuth grant, fixed when the person approved it on the consent page:
 *   the tenant and how they signed in (an API key's id and hash, or a one-time link). Never the
 *   API key itself. Checked again here (tenant still registered, key not revoked); the scopes are
 *   the token's (`ctx.auth.scope`).
 * Either way a positive answer of the TenantDO is remembered by the isolate for less than a second
 * (keys/admitted-callers.ts, through keys/admit-through-memo.ts): within that bound a caller is
 * admitted, and its rate-limit units counted for the next call to charge, without a round trip.
 */
import { z } from "zod";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import type { Admission } from "../../durable-objects/tenant/contracts.ts";
import { EngineError, isEngineError } from "../../engine/errors.ts";
import type { RateLimitVerdict } from "../../engine/rate-limits/rate-limited-error.ts";
import type { Env } from "../env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { admitThroughMemo } from "../keys/admit-through-memo.ts";
import { keyIdentityOf } from "../keys/admitted-callers.ts";
import { invalidKeyError } from "../keys/invalid-key.ts";
import { isRegisteredTenant } from "../tenancy/tenant-registry.ts";
import { ALL_SCOPES } from "./scopes.ts";

const apiKeyProps = z.strictObject({
  kind: z.literal("api_key"),
  tenant: z.string(),
  keyId: z.string(),
  /** set when the entry did not check the key itself: checked here, in the admitting call */
  keyHash: z.string().optional(),
  /** the key names a tenant that is not registered (keys/presented-key.ts): refused here, no DO reached */
  unregistered: z.literal(true).optional(),
});

const grantProps = z.strictObject({
  kind: z.literal("grant"),
  tenant: z.string(),
  signedInWith: z.discriminatedUnion("via", [
    z.strictObject({ via: z.literal("api_key"), keyId: z.string(), keyHash: z.string() }),
    z.strictObject({ via: z.literal("sign_in_link") }),
  ]),
});

export type ApiKeyProps = z.output<typeof apiKeyProps>;
export type GrantProps = z.output<typeof grantProps>;

const providedProps = z.discriminatedUnion("kind", [apiKeyProps, grantProps]);
const providedAuth = z.object({ scope: z.array(z.string()), token: z.string().optional() });

/** The execution context as the provider leaves it: `props` (the grant's) and `auth` (the token's). */
export interface ProviderContext {
  props?: unknown;
  auth?: unknown;
}

export interface ProvidedCaller {
  tenant: string;
  /** the API key's id, or `oauth:<grant id>` for a grant made with a sign-in link */
  keyId: string;
  /** who the audit log names: `key:<key id>` (the key that approved the grant), or `oauth:<grant id>` */
  actor: CallerActor;
  scopes: string[];
  /** the verdict of the `admission` charged to the tenant's rate limits, when one was given */
  rateLimit?: RateLimitVerdict;
}

export type CallerActor = `key:${string}` | `oauth:${string}`;

const REVOKED_MESSAGE =
  "This connection's sign-in is no longer valid (the API key it was approved with was revoked, or the tenant " +
  "is gone). Remove the connector and add it again to sign in anew.";

/**
 * The caller the OAuth provider authenticated, or `null` when it did not (API-key-only path).
 * Like an API key's request, it is refused for a suspended tenant (`tenant.suspended`) and
 * charged to the tenant's rate limits (`admission`) in one call to the TenantDO.
 */
export async function providedCallerOf(
  env: Env,
  carrier: ProviderContext | undefined,
  admission?: Admission,
): Promise<ProvidedCaller | null> {
  const props = providedProps.safeParse(carrier?.props);
  if (!props.success) return null;
  if (props.data.kind === "api_key") {
    const { tenant, keyId, keyHash, unregistered } = props.data;
    if (unregistered === true) throw invalidKeyError();
    const { rateLimit } = await admitThroughMemo(
      env,
      tenant,
      keyIdentityOf(keyId, keyHash),
      admission,
      (asked) =>
        keyHash === undefined
          ? admitCaller(env, tenant, keyId, asked)
          : authenticateKey(env, tenant, { keyId, keyHash }, asked),
    );
    return { tenant, keyId, actor: `key:${keyId}`, scopes: [...ALL_SCOPES], ...definedRateLimit(rateLimit) };
  }
  const grant = props.data;
  const auth = providedAuth.safeParse(carrier?.auth);
  const scopes = auth.success ? auth.data.scope : [];
  const signIn = grant.signedInWith;
  if (signIn.via === "api_key") {
    const { rateLimit } = await admitThroughMemo(
      env,
      grant.tenant,
      keyIdentityOf(signIn.keyId, signIn.keyHash),
      admission,
      async (asked) => {
        await requireRegisteredGrantTenant(env, grant.tenant);
        return { ...definedRateLimit(await authenticateGrantKey(env, grant.tenant, signIn, asked)) };
      },
    );
    const keyId = signIn.keyId;
    return { tenant: grant.tenant, keyId, actor: `key:${keyId}`, scopes, ...definedRateLimit(rateLimit) };
  }
  const caller = `oauth:${grantIdOf(auth.success ? auth.data.token : undefined)}` as const;
  const { rateLimit } = await admitThroughMemo(env, grant.tenant, caller, admission, async (asked) => {
    await requireRegisteredGrantTenant(env, grant.tenant);
    return admitCaller(env, grant.tenant, caller, asked);
  });
  return { tenant: grant.tenant, keyId: caller, actor: caller, scopes, ...definedRateLimit(rateLimit) };
}

async function requireRegisteredGrantTenant(env: Env, tenant: string): Promise<void> {
  if (!(await isRegisteredTenant(env, tenant))) {
    throw new EngineError(RuntimeCodes.authInvalidToken, REVOKED_MESSAGE);
  }
}

/**
 * The grant's id from an access token (`userId:grantId:secret`, the provider's format): not a
 * secret by itself. `unknown` when the token does not have that shape.
 */
export function grantIdOf(token: string | undefined): string {
  const grantId = token?.split(":")[1];
  return grantId !== undefined && /^[A-Za-z0-9_.-]{1,128}$/.test(grantId) ? grantId : "unknown";
}

function definedRateLimit(rateLimit: RateLimitVerdict | undefined): { rateLimit?: RateLimitVerdict } {
  return rateLimit === undefined ? {} : { rateLimit };
}

async function admitCaller(
  env: Env,
  tenant: string,
  caller: string,
  admission: Admission | undefined,
): Promise<{ rateLimit?: RateLimitVerdict }> {
  try {
    return await unwrap(tenantStub(env, tenant).admitCaller(tenant, caller, admission));
  } catch (thrown) {
    // a tenant being deleted answers as unknown: its tokens are no longer valid
    if (isEngineError(thrown) && thrown.code === RuntimeCodes.tenantNotFound) {
      throw new EngineError(RuntimeCodes.authInvalidToken, REVOKED_MESSAGE);
    }
    throw thrown;
  }
}

async function authenticateGrantKey(
  env: Env,
  tenant: string,
  signIn: { keyId: string; keyHash: string },
  admission: Admission | undefined,
): Promise<RateLimitVerdict | undefined> {
  try {
    const { rateLimit } = await unwrap(
      tenantStub(env, tenant).authenticate(tenant, signIn.keyId, signIn.keyHash, admission),
    );
    return rateLimit;
  } catch (thrown) {
    if (isEngineError(thrown) && thrown.code === RuntimeCodes.authInvalidKey) {
      throw new EngineError(RuntimeCodes.authInvalidToken, REVOKED_MESSAGE);
    }
    throw thrown;
  }
}

/** An API key presented on this request: its hash, the tenant's state and the rate limits, in one call. */
async function authenticateKey(
  env: Env,
  tenant: string,
  key: { keyId: string; keyHash: string },
  admission: Admission | undefined,
): Promise<{ rateLimit?: RateLimitVerdict }> {
  try {
    const { rateLimit } = await unwrap(
      tenantStub(env, tenant).authenticate(tenant, key.keyId, key.keyHash, admission),
    );
    return definedRateLimit(rateLimit);
  } catch (thrown) {
    if (isEngineError(thrown) && thrown.code === RuntimeCodes.authInvalidKey) throw invalidKeyError();
    throw thrown;
  }
}
