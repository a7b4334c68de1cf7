/**
 * @module
 * Hono's type parameters for this app: the bindings and the per-request variables that
 * middleware sets (`requestId` by hono's request-id middleware, `tenant`/`keyId`/`scopes` by tenant auth).
 */
import type { Admission } from "../durable-objects/tenant/contracts.ts";
import type { RateLimitVerdict } from "../engine/rate-limits/rate-limited-error.ts";
import type { Env } from "./env.ts";
import type { CallerActor } from "./oauth/grant-props.ts";
import type { McpToolCalls } from "./rate-limits/mcp-tool-calls.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    tenant: string;
    keyId: string;
    /** who the audit log names for this request: `key:<key id>`, or `oauth:<grant id>` (tenant auth) */
    actor: CallerActor;
    /** the OAuth scopes the caller holds (worker/oauth/scopes.ts); an API key holds them all */
    scopes: string[];
    /** what the request costs against the tenant's rate limits, charged by tenant auth (rate-limits/) */
    admission: Admission | undefined;
    /** the rate-limit verdict tenant auth got back for `admission` */
    rateLimit: RateLimitVerdict | undefined;
    /** `/mcp`: the body's `tools/call`s, when it holds nothing else */
    mcpToolCalls: McpToolCalls | undefined;
    /** a `POST /mcp` whose body was read once to price it: the same request, its body that text */
    mcpRequest: Request | undefined;
  };
}
