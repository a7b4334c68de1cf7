/**
 * @module
 * What the OAuth provider hands the `/mcp` handler in `ctx.props`, and how the handler turns it
 * into a caller. Two shapes, both written only by this worker:
 * - `api_key`: an API key `resolveExternalToken` verified on this very request (all scopes);
 * - `grant`: the props of an OAuth grant, fixed when the person approved it on the consent page:
 *   the tenant and how they signed in (an API key's id and hash, or a one-time link). Never the
 *   API key itself. Checked again here on every request (tenant still registered, key not
 *   revoked); the scopes are the token's (`ctx.auth.scope`).
 */
import { z } from "zod";
import { tenantStub } from "../../durable-objects/bindings.ts";
import { unwrap } from "../../durable-objects/outcome.ts";
import { EngineError, isEngineError } from "../../engine/errors.ts";
import type { Env } from "../env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { isRegisteredTenant } from "../tenancy/tenant-registry.ts";
import { ALL_SCOPES } from "./scopes.ts";

const apiKeyProps = z.strictObject({ kind: z.literal("api_key"), tenant: z.string(), keyId: z.string() });

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
const providedAuth = z.object({ scope: z.array(z.string()) });

/** The execution context as the provider leaves it: `props` (the grant's) and `auth` (the token's). */
export interface ProviderContext {
  props?: unknown;
  auth?: unknown;
}

export interface ProvidedCaller {
  tenant: string;
  /** the API key's id, or `oauth` for a grant made with a sign-in link */
  keyId: string;
  scopes: string[];
}

const REVOKED_MESSAGE =
  "This connection's sign-in is no longer valid (the API key it was approved with was revoked, or the tenant " +
  "is gone). Remove the connector and add it again to sign in anew.";

/** The caller the OAuth provider authenticated, or `null` when it did not (API-key-only path). */
export async function providedCallerOf(
  env: Env,
  carrier: ProviderContext | undefined,
): Promise<ProvidedCaller | null> {
  const props = providedProps.safeParse(carrier?.props);
  if (!props.success) return null;
  if (props.data.kind === "api_key") {
    return { tenant: props.data.tenant, keyId: props.data.keyId, scopes: [...ALL_SCOPES] };
  }
  const grant = props.data;
  const auth = providedAuth.safeParse(carrier?.auth);
  await assertGrantStillValid(env, grant);
  const keyId = grant.signedInWith.via === "api_key" ? grant.signedInWith.keyId : "oauth";
  return { tenant: grant.tenant, keyId, scopes: auth.success ? auth.data.scope : [] };
}

async function assertGrantStillValid(env: Env, grant: GrantProps): Promise<void> {
  if (!(await isRegisteredTenant(env, grant.tenant))) {
    throw new EngineError(RuntimeCodes.authInvalidToken, REVOKED_MESSAGE);
  }
  const signIn = grant.signedInWith;
  if (signIn.via !== "api_key") return;
  try {
    await unwrap(tenantStub(env, grant.tenant).authenticate(grant.tenant, signIn.keyId, signIn.keyHash));
  } catch (thrown) {
    if (isEngineError(thrown) && thrown.code === RuntimeCodes.authInvalidKey) {
      throw new EngineError(RuntimeCodes.authInvalidToken, REVOKED_MESSAGE);
    }
    throw thrown;
  }
}
