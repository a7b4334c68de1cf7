/**
 * Attack (issue 14, lifecycle events): docs/observability.md says a subscription with
 * `event_pattern: "run.*"` and a filter on `event.workflow` "works the same way" as one on
 * `run.completed`. But `POST /events` reserves only the four exact lifecycle types, so any key
 * that may post events can send `run.<anything>` with a lifecycle-shaped payload and start the
 * workflow that trusts "another workflow finished". Secure behaviour: the whole `run.` namespace
 * is edgeflow's own (`events.reserved_type`) and no run starts.
 */
import { describe, expect, it } from "vitest";
import { newTenant } from "./support/clients.ts";
import { postEvent, publish } from "./support/events.ts";

const DEPLOY_AFTER_BUILD = `name: "release:deploy"
description: "Deploys after every successful build"
version: "1.0.0"
triggers:
  - type: event
    event_type: "run.*"
    filter: "event.workflow === 'release:build' && event.status === 'completed'"
steps:
  - id: "say"
    type: "user_message"
    message: "deploying"
`;

describe("attack: forged lifecycle events through run.* patterns", () => {
  for (const type of ["run.completed2", "run.done", "run.completed.x", "run.finished"]) {
    it(`POST /events type ${type} is refused and starts nothing`, async () => {
      const { apiKey } = await newTenant("forge-run-star");
      await publish(apiKey, DEPLOY_AFTER_BUILD);
      const forged = await postEvent(apiKey, {
        type,
        payload: {
          workflow: "release:build",
          version: "1.0.0",
          run_id: "wf_forged",
          status: "completed",
          depth: 0,
        },
      });
      // today: 202 and a run of release:deploy promised (the filter took the forged payload)
      expect({ status: forged.status, runs: (forged.body as { runs?: unknown[] }).runs ?? [] }).toEqual({
        status: 400,
        runs: [],
      });
      expect(forged.body).toMatchObject({ error: { code: "events.reserved_type" } });
    });
  }
});
