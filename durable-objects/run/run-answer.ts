/**
 * @module
 * What the RunDO answers to callers: the view of the run (`snapshotRun`) and, for transitions, the
 * engine's `NextStep`. Pure.
 */
import { snapshotRun } from "../../engine/machine/index.ts";
import type { NextStep, RunState } from "../../engine/machine/run-model.ts";
import type { RunIndexRecord } from "../tenant/contracts.ts";
import type { RunAnswer } from "./contracts.ts";

export function answerOf(run: RunState, next: NextStep): RunAnswer {
  return { run: snapshotRun(run), next };
}

export function indexRecordOf(run: RunState): RunIndexRecord {
  return {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    status: run.status,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    ...(run.error === undefined ? {} : { errorCode: run.error.code }),
  };
}
