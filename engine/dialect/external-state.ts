/**
 * @module
 * Phase 6 `external_state`: where a run's state is mirrored outside the Durable Object.
 */
import { z } from "zod";
import { freeObjectSchema } from "./scalars.ts";

export const externalStateSchema = z
  .strictObject({
    backend: z.string().min(1).describe("Backend name: kv, r2, redis, or a plugin's backend"),
    config: freeObjectSchema
      .optional()
      .describe(
        "Backend settings. A capability field: literal text and {{ env.NAME }} secret references only, e.g. {{ env.REDIS_URL }}",
      ),
    uses: z.string().optional().describe("Plugin providing the backend, `name@semver-range`"),
    ttl: z.number().int().positive().optional().describe("Seconds the mirrored state lives in the backend"),
  })
  .describe("External state store (phase 6)");
export type ExternalState = z.output<typeof externalStateSchema>;
