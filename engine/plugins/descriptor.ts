/**
 * @module
 * What the engine knows about a plugin: its name, semver version, roles, configuration schema and
 * methods (each with zod schemas for its parameters and its result), and the capabilities it
 * needs. Pure data, so the loader can resolve `uses: "http@^1"` and check a step's method and
 * static params at publish without importing `plugins/` (which runs in workerd). The running half
 * of a plugin (`invoke`) is `plugins/contract.ts`'s `Plugin`, which extends this.
 */
import type { z } from "zod";

/** What a plugin can serve: `external_call` services, `notify` channels, `external_state` backends. */
export type PluginRole = "call" | "notify" | "state";

/** Worker bindings a plugin may be handed (wrangler.toml names them). */
export type PluginBinding = "STATE_KV" | "FILES" | "EMAIL";

export interface PluginMethodSpec {
  description: string;
  /** The method's parameters (a step's `params` after templates are evaluated). */
  params: z.ZodType;
  /** What the method answers (for `store_result`). */
  result: z.ZodType;
}

export interface PluginCapabilities {
  /** Outbound HTTP(S) to the hosts its configuration names; the egress rule applies. */
  http: boolean;
  /** Outbound TCP (e.g. Redis); the egress rule applies. */
  sockets: boolean;
  /** Worker bindings it uses. */
  bindings: readonly PluginBinding[];
  /** Dotted paths of configuration fields that hold secrets: only these take `{{ env.NAME }}`. */
  secretFields: readonly string[];
}

export interface PluginDescriptor {
  /** Lower-case name, `[a-z][a-z0-9_-]*`, used in `uses: "<name>@<range>"`. */
  name: string;
  /** Exact semver version (`1.2.0`). Two majors of one plugin may be present side by side. */
  version: string;
  description: string;
  roles: readonly PluginRole[];
  /** The configuration of a service using this plugin (secrets already resolved when parsed at call time). */
  config: z.ZodType;
  methods: Readonly<Record<string, PluginMethodSpec>>;
  capabilities: PluginCapabilities;
}

/** Every plugin version the platform holds; the loader resolves `uses` against it at publish. */
export interface PluginCatalog {
  readonly plugins: readonly PluginDescriptor[];
}

/**
 * A service after publish: a named, configured use of one exact plugin version. `config` still
 * holds `{{ env.NAME }}` references in its secret fields; they are resolved on the host at call
 * time and never stored resolved.
 */
export interface ResolvedService {
  name: string;
  plugin: string;
  version: string;
  config: Readonly<Record<string, unknown>>;
}
