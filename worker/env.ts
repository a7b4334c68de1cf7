/**
 * @module
 * The bindings the worker receives. `wrangler.toml` declares the Durable Objects; `ADMIN_TOKEN`
 * is a secret (`.dev.vars` locally, `wrangler secret put ADMIN_TOKEN` when deployed).
 */
import type { DurableObjectBindings } from "../durable-objects/bindings.ts";

export interface Env extends DurableObjectBindings {
  /** Bearer token for `/admin/*`. When unset, admin routes answer 503. */
  ADMIN_TOKEN?: string;
}
