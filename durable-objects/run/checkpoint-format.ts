/**
 * @module
 * The stored form of a run's checkpoint (the `run.state` column): the engine's `RunState` as
 * JSON, with a `format` field. Reading parses; what does not parse is `storage.corrupt`. (The
 * `run.definition` column is `storage/stored-definition.ts`.)
 *
 * Formats of the `state` column: `1` is `RunState` plus `format: 1`. Rows written before the
 * field existed have no `format` and are read as format 1 (the shape is the same). A change to
 * `RunState` that an older row does not satisfy needs a new format number and a reader of the old
 * one here; a format this code does not know (a row written by newer code) is `storage.corrupt`.
 * The graph's task rows (`graph-store.ts`) are written with the checkpoint, so they follow its format.
 */
import type { RunState } from "../../engine/machine/run-model.ts";
import { checkStored, parseStoredJson, storageCorrupt } from "../storage/stored-json.ts";
import { runStateSchema } from "./run-state-schema.ts";

/** The format this code writes into the `state` column. */
export const CHECKPOINT_FORMAT = 1;

export function encodeCheckpoint(state: RunState): string {
  return JSON.stringify({ format: CHECKPOINT_FORMAT, ...state });
}

/** The `state` column as a `RunState`, or `storage.corrupt`. */
export function decodeCheckpoint(text: string): RunState {
  const value = parseStoredJson(text, "run checkpoint");
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw storageCorrupt("run checkpoint", "it is not an object");
  const { format = 1, ...state } = value as Record<string, unknown>;
  if (format !== CHECKPOINT_FORMAT) {
    throw storageCorrupt(
      "run checkpoint",
      `its format ${JSON.stringify(format)} is not one this version reads (${CHECKPOINT_FORMAT})`,
    );
  }
  return checkStored(runStateSchema, state, "run checkpoint");
}
