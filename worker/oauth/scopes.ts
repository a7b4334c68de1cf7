/**
 * @module
 * The OAuth scopes a connector can be granted (docs/auth.md, "Scopes"). Each names what a person
 * lets a client do in their tenant; the consent page shows the description. API keys carry every
 * scope. Data only.
 */

export const Scopes = {
  /** list and read workflows, runs, state, events, subscriptions, services and plugins; validate files */
  runsRead: "runs:read",
  /** start, advance (next step, step complete), update the state of and cancel runs */
  runsDrive: "runs:drive",
  /** publish workflow versions, change the tenant's subscriptions and services; read its audit log */
  workflowsPublish: "workflows:publish",
} as const;

export type Scope = (typeof Scopes)[keyof typeof Scopes];

export const ALL_SCOPES: readonly Scope[] = [Scopes.runsRead, Scopes.runsDrive, Scopes.workflowsPublish];

export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  "runs:read": "Read workflows, runs, their state and events, subscriptions, services and plugins",
  "runs:drive": "Start runs, complete their steps, update their state and cancel them",
  "workflows:publish":
    "Publish workflow versions, change the tenant's event subscriptions and services, and read its audit log",
};

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}
