/**
 * @module
 * Phase 6 `external_state`: where a run's state is mirrored outside the Durable Object.
 */
import { z } from "zod";
import { freeObjectSchema } from "./scalars.ts";
import { MAX_USES_LENGTH } from "./services.ts";

export const externalStateSchema = z
  .strictObject({
    backend: z
      .string()
      .min(1)
      .describe(
        "Backend: kv, r2 or redis, the state plugin of that name (its highest version unless uses says otherwise)",
      ),
    config: freeObjectSchema
      .optional()
      .describe(
        "Backend settings. A capability field: literal text and {{ env.NAME }} secret references only, e.g. {{ env.REDIS_URL }}",
      ),
    uses: z
      .string()
      .max(MAX_USES_LENGTH)
      .optional()
      .describe(
        'Plugin and semver range for the backend, "<name>@<range>" (default "<backend>@*"); resolved at publish',
      ),
    ttl: z.number().int().positive().optional().describe("Seconds the mirrored state lives in the backend"),
  })
  .describe("External state store (phase 6)");
export type ExternalState = z.output<typeof externalStateSchema>;
