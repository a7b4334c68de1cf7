/**
 * @module
 * `service_circuits`: the circuit breaker of each service the tenant's runs have called (shared by
 * all its runs): closed, open (calls fail fast with external.circuit_open and the step's
 * error_handling applies) or half-open (the next call is a trial). Read-only.
 */
import { z } from "zod";
import { tenantStub } from "../../../durable-objects/bindings.ts";
import { unwrap } from "../../../durable-objects/outcome.ts";
import { defineTool } from "../tool-kit.ts";

const circuitSchema = z.object({
  service: z.string(),
  status: z.enum(["closed", "open", "half_open"]),
  consecutive_failures: z.number().int(),
  failure_threshold: z.number().int(),
  cool_down_seconds: z.number(),
  opened_at: z.string().optional().describe("When it last opened (ISO 8601)"),
});

export const serviceCircuits = defineTool({
  name: "service_circuits",
  title: "Service circuit breakers",
  description:
    "Shows the circuit breaker of each service your runs have called (external_call, notify, external_state): " +
    "closed (calls go out), open (calls fail at once with external.circuit_open and the step's error_handling " +
    "applies, e.g. its fallback) or half_open (the cool-down passed: the next call is a trial that closes it on " +
    "success). A circuit opens after failure_threshold consecutive failures (default 5) and stays open " +
    "cool_down_seconds (default 30); set both per service under `circuit:` in its config.",
  input: z.strictObject({}),
  output: z.object({ circuits: z.array(circuitSchema), count: z.number().int() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(_input, { env, tenant }) {
    const circuits = await unwrap(tenantStub(env, tenant).listCircuits(tenant));
    return { circuits, count: circuits.length };
  },
});
