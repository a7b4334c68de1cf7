/**
 * @module
 * Hono's type parameters for this app: the bindings and the per-request variables that
 * middleware sets (`requestId` by hono's request-id middleware, `tenant`/`keyId`/`scopes` by tenant auth).
 */
import type { Env } from "./env.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    tenant: string;
    keyId: string;
    /** the OAuth scopes the caller holds (worker/oauth/scopes.ts); an API key holds them all */
    scopes: string[];
  };
}
