/**
 * @module
 * Performs one effect for a run, inside the TenantDO, the holder of the tenant's secrets (a RunDO
 * never holds one, decision 0003): finds the service and its exact plugin version, asks the
 * service's circuit breaker, resolves `{{ env.NAME }}` in the service's secret fields and in the
 * step's `auth` (which replaces the service's `auth`) as text, checks configuration and params
 * against the plugin's schemas, and calls `plugin.invoke` with a `PluginContext` whose `fetch` and
 * `connect` apply the egress rule, the call's timeout (default 10 s) and the response cap
 * (default 1 MiB). Answers an `EffectOutcome`, never throws for the call's own failures. Each
 * secret value used has its exact occurrences in messages and results replaced by `[redacted]`
 * (a courtesy: a target can echo it transformed; docs/plugins.md, decision 0003).
 */
import { EngineError, type ErrorCode } from "../../engine/errors.ts";
import { admitCall, circuitSettingsOf, recordCallResult } from "../../engine/plugins/circuit.ts";
import { CIRCUIT_CONFIG_KEY } from "../../engine/plugins/circuit-config.ts";
import type { ResolvedService } from "../../engine/plugins/descriptor.ts";
import type { EffectIntent, EffectOutcome } from "../../engine/plugins/effect.ts";
import { TRANSIENT_EXTERNAL_CODES } from "../../engine/plugins/effect-error-codes.ts";
import type { Plugin, PluginBindings, PluginContext } from "../../plugins/contract.ts";
import type { CircuitStore } from "./circuit-store.ts";
import type { EffectRequest } from "./contracts.ts";
import { DEFAULT_MAX_RESPONSE_BYTES, guardedConnect, guardedFetch } from "./guarded-fetch.ts";
import type { PluginFinder } from "./plugin-registry.ts";
import type { CapabilityResolver } from "./secret-vault.ts";
import { withTraceparent } from "./traceparent-fetch.ts";

/** The largest result (characters of its JSON) an effect hands back to its run. */
export const MAX_EFFECT_RESULT_BYTES = 1024 * 1024;

/** A call's time limit when its step sets no `timeout_seconds`. */
export const DEFAULT_CALL_TIMEOUT_SECONDS = 10;
/** The longest a single call may be given. */
export const MAX_CALL_TIMEOUT_SECONDS = 300;

/**
 * Where an effect's service comes from (`TenantServices`, service-lookup.ts, in the TenantDO): a
 * step's service or channel by name for the run's workflow version, or that version's
 * `external_state` backend. `undefined` when there is none; `workflow.not_found` when the
 * version is gone.
 */
export interface ServiceSource {
  serviceOfVersion(workflow: string, version: string, name: string): ResolvedService | undefined;
  externalStateOfVersion(workflow: string, version: string): ResolvedService | undefined;
}

export interface EffectRunnerDeps {
  services: ServiceSource;
  plugins: PluginFinder;
  secrets: CapabilityResolver;
  circuits: CircuitStore;
  bindings: PluginBindings;
  allowPrivateEgress: boolean;
  now: () => number;
}

export async function runEffect(
  tenant: string,
  request: EffectRequest,
  deps: EffectRunnerDeps,
): Promise<EffectOutcome> {
  const { effect } = request;
  const service = serviceOf(request, deps.services);
  if (service === undefined) {
    const what =
      effect.kind === "state" ? "no external_state backend" : `no service named "${effect.service}"`;
    return failure("external.no_service", `${what} for ${request.workflow}@${request.version}`);
  }
  const plugin = deps.plugins(service.plugin, service.version);
  if (plugin === undefined) {
    return failure("external.no_plugin", `plugin ${service.plugin}@${service.version} is not installed`);
  }
  const settings = circuitSettingsOf(service.config);
  const before = deps.circuits.read(service.name);
  const admission = admitCall(before, settings, deps.now());
  if (!admission.admitted) {
    return failure(
      "external.circuit_open",
      `the circuit of service "${service.name}" is open`,
      admission.retryAfterSeconds,
    );
  }
  if (admission.state !== before) deps.circuits.write(service.name, admission.state, settings);
  const secrets: string[] = [];
  const outcome = await callPlugin(tenant, effect, service, plugin, deps, secrets, request.traceparent).catch(
    (error: unknown) => outcomeOfError(error),
  );
  const countsAgainst = !outcome.ok && TRANSIENT_EXTERNAL_CODES.has(outcome.code);
  if (outcome.ok || countsAgainst) {
    const current = deps.circuits.read(service.name);
    const next = recordCallResult(current, settings, outcome.ok, deps.now());
    const changed = JSON.stringify(next) !== JSON.stringify(current);
    if (changed || !deps.circuits.has(service.name)) deps.circuits.write(service.name, next, settings);
  }
  return redactOutcome(outcome, secrets);
}

/** The service the effect names: `external_state`'s backend for a state write. */
function serviceOf(request: EffectRequest, services: ServiceSource): ResolvedService | undefined {
  const { workflow, version, effect } = request;
  try {
    return effect.kind === "state"
      ? services.externalStateOfVersion(workflow, version)
      : services.serviceOfVersion(workflow, version, effect.service);
  } catch (error) {
    // the run's workflow version was deleted since: none of its services is known any more
    if (error instanceof EngineError && error.code === "workflow.not_found") return undefined;
    throw error;
  }
}

async function callPlugin(
  tenant: string,
  effect: EffectIntent,
  service: ResolvedService,
  plugin: Plugin,
  deps: EffectRunnerDeps,
  secrets: string[],
  traceparent: string | undefined,
): Promise<EffectOutcome> {
  const method = Object.hasOwn(plugin.methods, effect.method)
    ? plugin.methods[effect.method]
    : Object.hasOwn(plugin.methods, "*")
      ? plugin.methods["*"]
      : undefined;
  if (method === undefined) {
    return failure(
      "external.invalid_params",
      `${plugin.name}@${plugin.version} has no method "${effect.method.slice(0, 64)}"`,
    );
  }
  const raw = await resolvedConfig(tenant, effect, service, plugin, deps.secrets, secrets);
  if (typeof raw === "string") return failure("secret.not_found", raw);
  const config = plugin.config.safeParse(raw);
  if (!config.success)
    return failure("external.invalid_params", `service "${service.name}": ${issuesOf(config.error)}`);
  const params = method.params.safeParse(effect.params);
  if (!params.success) return failure("external.invalid_params", `params: ${issuesOf(params.error)}`);

  const seconds = Math.min(effect.timeoutSeconds ?? DEFAULT_CALL_TIMEOUT_SECONDS, MAX_CALL_TIMEOUT_SECONDS);
  const controller = new AbortController();
  const egress = { allowPrivate: deps.allowPrivateEgress };
  const context: PluginContext = {
    tenant,
    config: config.data,
    idempotencyKey: effect.idempotencyKey,
    fetch: withTraceparent(
      guardedFetch({ ...egress, signal: controller.signal, maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES }),
      traceparent,
    ),
    connect: guardedConnect(egress),
    keyPrefix: `t/${tenant}/`,
    bindings: bindingsFor(plugin, deps.bindings),
    signal: controller.signal,
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new EngineError("external.timeout", `the call took longer than ${seconds} s`));
    }, seconds * 1000);
  });
  try {
    const answer = await Promise.race([plugin.invoke(effect.method, params.data, context), timeout]);
    const checked = method.result.safeParse(answer);
    if (!checked.success) return failure("external.invalid_result", `result: ${issuesOf(checked.error)}`);
    // whatever a plugin gathered (a store's list over many rounds), what goes back to the run is capped
    const size = JSON.stringify(checked.data)?.length ?? 0;
    if (size > MAX_EFFECT_RESULT_BYTES) {
      return failure(
        "external.too_large",
        `result: ${size} characters of JSON, more than ${MAX_EFFECT_RESULT_BYTES}`,
      );
    }
    return { ok: true, result: checked.data };
  } catch (error) {
    if (controller.signal.aborted && !(error instanceof EngineError && error.code !== "external.timeout")) {
      return failure("external.timeout", `the call took longer than ${seconds} s`);
    }
    throw error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * The service's configuration with its secret fields and the step's `auth` resolved (and the
 * platform's own `circuit` settings taken out), or the message saying which secret is missing.
 */
async function resolvedConfig(
  tenant: string,
  effect: EffectIntent,
  service: ResolvedService,
  plugin: Plugin,
  resolver: CapabilityResolver,
  secrets: string[],
): Promise<Record<string, unknown> | string> {
  const { [CIRCUIT_CONFIG_KEY]: _circuit, ...rest } = structuredClone(service.config);
  const config: Record<string, unknown> = { ...rest };
  const resolve = async (text: string): Promise<string | undefined> => {
    const resolved = await resolver.resolveCapability(tenant, text);
    if (resolved === undefined) return undefined;
    secrets.push(...resolved.secrets);
    return resolved.text;
  };
  for (const path of plugin.capabilities.secretFields) {
    const segments = path.split(".");
    const parent = walk(config, segments.slice(0, -1));
    const field = segments.at(-1)!;
    if (parent === undefined || typeof parent[field] !== "string") continue;
    const text = await resolve(parent[field] as string);
    if (text === undefined) return `service "${service.name}": ${path} names a secret that is not set`;
    parent[field] = text;
  }
  if (effect.auth !== undefined) {
    const auth: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(effect.auth)) {
      if (typeof value !== "string") continue;
      const text = await resolve(value);
      if (text === undefined) return `step "${effect.stepId}": auth.${field} names a secret that is not set`;
      auth[field] = text;
    }
    config.auth = auth;
  }
  return config;
}

function walk(root: Record<string, unknown>, segments: string[]): Record<string, unknown> | undefined {
  let current: unknown = root;
  for (const segment of segments) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current !== null && typeof current === "object" ? (current as Record<string, unknown>) : undefined;
}

function bindingsFor(plugin: Plugin, all: PluginBindings): PluginBindings {
  const wanted = new Set(plugin.capabilities.bindings);
  const bindings: PluginBindings = {};
  if (wanted.has("STATE_KV") && all.kv !== undefined) bindings.kv = all.kv;
  if (wanted.has("FILES") && all.r2 !== undefined) bindings.r2 = all.r2;
  if (wanted.has("EMAIL") && all.email !== undefined) bindings.email = all.email;
  return bindings;
}

function outcomeOfError(error: unknown): EffectOutcome {
  if (error instanceof EngineError) {
    return failure(error.code, error.message, error.retryAfterSeconds);
  }
  return failure(
    "external.failed",
    `the plugin failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}

function failure(code: ErrorCode, message: string, retryAfterSeconds?: number): EffectOutcome {
  return retryAfterSeconds === undefined
    ? { ok: false, code, message }
    : { ok: false, code, message, retryAfterSeconds };
}

function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

/** Every secret value used for the call replaced by `[redacted]` in the message or the result. */
function redactOutcome(outcome: EffectOutcome, secrets: readonly string[]): EffectOutcome {
  const values = secrets.filter((secret) => secret.length > 0);
  if (values.length === 0) return outcome;
  const redact = (text: string) =>
    values.reduce((current, secret) => current.split(secret).join("[redacted]"), text);
  if (!outcome.ok) return { ...outcome, message: redact(outcome.message) };
  return { ok: true, result: redactDeep(outcome.result, redact) };
}

function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact)]),
    );
  }
  return value;
}
