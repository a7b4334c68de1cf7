/**
 * @module
 * RunDO: one per run. Holds the run's checkpoint, applies the engine's transitions, and keeps a
 * single alarm armed for the earliest timer. Thin: storage lives in `run/*.ts`, the step machine
 * in `engine/machine/`.
 */
import { DurableObject } from "cloudflare:workers";
import type { DurableObjectBindings } from "./bindings.ts";
import { applyMigrations } from "./storage/migrations.ts";
import { RUN_MIGRATIONS } from "./storage/run-schema.ts";

export class RunDO extends DurableObject<DurableObjectBindings> {
  constructor(ctx: DurableObjectState, env: DurableObjectBindings) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      applyMigrations(ctx.storage, RUN_MIGRATIONS);
    });
  }
}
