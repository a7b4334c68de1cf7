/**
 * @module
 * Hono's type parameters for this app: the bindings and the per-request variables that
 * middleware sets (`requestId` by hono's request-id middleware, `tenant`/`keyId` by tenant auth).
 */
import type { Env } from "./env.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    tenant: string;
    keyId: string;
  };
}
