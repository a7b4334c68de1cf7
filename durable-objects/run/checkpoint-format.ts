/**
 * @module
 * The stored form of a run's checkpoint (the `run.state` column): the engine's `RunState` as
 * JSON, with a `format` field. Reading parses (zod, `run-state-schema.ts`), never casts; what does
 * not parse is `storage.corrupt`. (The `run.definition` column is `storage/stored-definition.ts`.)
 *
 * Formats of the `state` column (docs/storage-schema.md, "Checkpoint formats"):
 * - `1`: `RunState` plus `format: 1`. Rows written before the field existed have no `format` and
 *   are read as format 1.
 * - `2`: format 1 where every frame also carries its `address`: its list's path and the step at
 *   its `pc` by step ids (`engine/machine/frame-address.ts`), computed from the run's definition
 *   when written, so the position can be mapped onto another version of the workflow. A frame
 *   whose list the definition does not hold (a dynamic dependency task's `run`) has no address.
 *
 * An older format is read with its own reader, then upgraded one format at a time
 * (`UPGRADES`: 1 → 2 computes the addresses from the run's stored definition), like the
 * loader's phase-5 upgrade. A format this code does not know (a row written by newer code) is
 * `storage.corrupt`. The graph's task rows (`graph-store.ts`) are written with the checkpoint.
 */
import type { WorkflowDefinition } from "../../engine/dialect/index.ts";
import { addressRun } from "../../engine/machine/frame-address.ts";
import type { RunState } from "../../engine/machine/run-model.ts";
import { checkStored, parseStoredJson, storageCorrupt } from "../storage/stored-json.ts";
import { runStateSchema } from "./run-state-schema.ts";

/** The format this code writes into the `state` column. */
export const CHECKPOINT_FORMAT = 2;

/** Each older format's upgrade to the next one, by the format it reads. */
const UPGRADES: Readonly<Record<number, (state: RunState, definition: WorkflowDefinition) => RunState>> = {
  // format 2 adds the frames' step-id addresses, computed from the run's own definition
  1: (state, definition) => addressRun(definition, state),
};

/** The checkpoint as stored: `state` with every frame addressed in the run's `definition`. */
export function encodeCheckpoint(state: RunState, definition: WorkflowDefinition): string {
  return JSON.stringify({ format: CHECKPOINT_FORMAT, ...addressRun(definition, state) });
}

/**
 * The `state` column as a `RunState` in the current format, or `storage.corrupt`. `definition` is
 * the run's own (the `definition` column): older formats are upgraded with it.
 */
export function decodeCheckpoint(text: string, definition: WorkflowDefinition): RunState {
  const value = parseStoredJson(text, "run checkpoint");
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw storageCorrupt("run checkpoint", "it is not an object");
  const { format = 1, ...fields } = value as Record<string, unknown>;
  if (typeof format !== "number" || !Number.isInteger(format) || format < 1 || format > CHECKPOINT_FORMAT) {
    throw storageCorrupt(
      "run checkpoint",
      `its format ${JSON.stringify(format)} is not one this version reads (1 to ${CHECKPOINT_FORMAT})`,
    );
  }
  // formats 1 and 2 share one schema (the address is optional in it); a format whose shape
  // differs gets its own reader here
  let state = checkStored(runStateSchema, fields, "run checkpoint");
  for (let at = format; at < CHECKPOINT_FORMAT; at++) state = UPGRADES[at]!(state, definition);
  return state;
}
