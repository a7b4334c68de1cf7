/**
 * @module
 * A service's `config.circuit`: the platform's own setting for the service's circuit breaker
 * (engine/plugins/circuit.ts), not the plugin's. Checked at publish and registration beside the
 * plugin's configuration, and taken out before the plugin sees its configuration. Data only.
 */
import { z } from "zod";

/** The key of a service's configuration that belongs to the platform. */
export const CIRCUIT_CONFIG_KEY = "circuit";

/** Bounds that keep a circuit a circuit: it opens within 100 failures and stays open 1 s at least. */
export const MAX_FAILURE_THRESHOLD = 100;
export const MIN_COOL_DOWN_SECONDS = 1;

export const circuitConfigSchema = z
  .strictObject({
    failure_threshold: z
      .number()
      .int()
      .min(1)
      .max(MAX_FAILURE_THRESHOLD)
      .optional()
      .describe("Consecutive failures that open the circuit (default 5)"),
    cool_down_seconds: z
      .number()
      .min(MIN_COOL_DOWN_SECONDS)
      .max(86_400)
      .optional()
      .describe("Seconds an open circuit refuses calls before one trial (default 30)"),
  })
  .describe("The service's circuit breaker, per tenant and service");

/** A service's configuration split into the platform's `circuit` and what the plugin reads. */
export function splitCircuitConfig(config: unknown): { circuit: unknown; pluginConfig: unknown } {
  if (
    config === null ||
    typeof config !== "object" ||
    Array.isArray(config) ||
    !(CIRCUIT_CONFIG_KEY in config)
  ) {
    return { circuit: undefined, pluginConfig: config };
  }
  const { [CIRCUIT_CONFIG_KEY]: circuit, ...pluginConfig } = config as Record<string, unknown>;
  return { circuit, pluginConfig };
}
