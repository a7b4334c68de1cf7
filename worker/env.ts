/**
 * @module
 * The bindings the worker receives. `wrangler.toml` declares the Durable Objects, the tenant
 * registry (KV), the R2 bucket and the Queue whose consumer turns R2 notifications into file_change events. `ADMIN_TOKEN` and
 * `SECRETS_KEY` are secrets (`.dev.vars` locally, `wrangler secret put NAME` when deployed).
 */
import type { OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import type { DurableObjectBindings } from "../durable-objects/bindings.ts";

export interface Env extends DurableObjectBindings {
  /** The tenant registry: `tenant:<id>` for every tenant the admin created (tenancy/tenant-registry.ts). */
  TENANTS: KVNamespace;
  /** Bearer token for `/admin/*`. When unset, admin routes answer 503. */
  ADMIN_TOKEN?: string;
  /** Key tenant secrets are encrypted with (at least 32 characters). When unset, secrets answer 503. */
  SECRETS_KEY?: string;
  /** The bucket whose object notifications arrive on the `edgeflow-file-events` queue. */
  FILES?: R2Bucket;
  /** State of `kv` services and `external_state: {backend: kv}`, under `t/<tenant>/` (plugins/kv). */
  STATE_KV?: KVNamespace;
  /** Cloudflare's `send_email` binding, used by `email` notification services (plugins/email). */
  EMAIL?: SendEmail;
  /** OAuth clients, grants and tokens (hashed) of `@cloudflare/workers-oauth-provider` (docs/auth.md). Without it, `/mcp` takes API keys only. */
  OAUTH_KV?: KVNamespace;
  /** Workers Rate Limiting binding for `/register` and `GET /authorize`, per client address (docs/auth.md). */
  OAUTH_RATE_LIMITER?: RateLimit;
  /** The OAuth helpers the provider puts in `env` before it calls the app (worker/oauth/provider.ts). */
  OAUTH_PROVIDER?: OAuthHelpers;
  /** `1` lets plugins reach loopback and private addresses (local development and tests only). */
  EDGEFLOW_ALLOW_PRIVATE_EGRESS?: string;
  /** Comma-separated hostnames `/mcp` accepts in `Host` (DNS-rebinding guard; docs/runtime.md). */
  EDGEFLOW_MCP_ALLOWED_HOSTS?: string;
  /** Comma-separated hostnames `/mcp` accepts in `Origin`, or `*` (DNS-rebinding guard; docs/runtime.md). */
  EDGEFLOW_MCP_ALLOWED_ORIGINS?: string;
  /** `0`: `/mcp` asks the TenantDO about the caller on every request, not once a second (keys/admitted-callers.ts; benchmark only). */
  EDGEFLOW_MCP_KEY_CACHE?: string;
  /** `1`: `/mcp` checks an API key at its entry and again when admitting (the pre-issue-16 path; benchmark only). */
  EDGEFLOW_MCP_KEY_PRECHECK?: string;
  /** `0`: tools ask the tenant's run index on every call, not once a second (mcp/known-runs.ts; benchmark only). */
  EDGEFLOW_MCP_KNOWN_RUNS?: string;
  /** Ed25519 private key (PKCS#8 PEM or JWK) that signs exported workflow packages (secret; docs/versioning.md). */
  EDGEFLOW_PACKAGE_SIGNING_KEY?: string;
  /** Comma-separated Ed25519 public keys (raw, base64url) whose package signatures `workflow_import` accepts. */
  EDGEFLOW_PACKAGE_TRUSTED_KEYS?: string;
  /** `1` makes `workflow_import` refuse unsigned packages (`package.signature_required`). */
  EDGEFLOW_PACKAGE_REQUIRE_SIGNATURE?: string;
  /** `off` makes `POST /hooks` read the tenant registry on every delivery (docs/events.md, "Intake path"). */
  EDGEFLOW_INTAKE_REGISTRY_CACHE?: string;
}
