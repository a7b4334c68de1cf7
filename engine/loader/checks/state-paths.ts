/**
 * @module
 * Every path a step writes to (`state_update`, `state_updates`, `store_result`, `store_response`,
 * `store_results`) names a writable scope: `this.`, `global.`, or legacy `state.`/`raw.`.
 * Read-only scopes, computed fields (`this.doubled`) and inputs written as `raw.x` give
 * `loader.read_only_path`; anything else that is not a writable scope gives `loader.invalid_path`.
 */
import { PATH_ROOTS, WRITABLE_ROOTS } from "../../state/scope-names.ts";
import { errorFinding, type Finding } from "../diagnostic.ts";
import { isPlainRecord, walkSteps } from "../step-walk.ts";
import type { YamlPath } from "../yaml-path.ts";

const WRITABLE: ReadonlySet<string> = new Set(WRITABLE_ROOTS);
/** Every other root, and `env` (the tenant's secrets, never a path: docs/dialect.md, "Secrets"). */
const READ_ONLY: ReadonlySet<string> = new Set([...PATH_ROOTS.filter((root) => !WRITABLE.has(root)), "env"]);

const STORE_KEYS = ["store_result", "store_response", "store_results"] as const;
const ROOT_PATTERN = /^([A-Za-z_$][\w$]*)([.[])(.*)$/s;

/** The paths a step writes to, with where they are. */
export function writtenPaths(
  step: Record<string, unknown>,
  stepPath: YamlPath,
): { path: string; at: YamlPath }[] {
  const written: { path: string; at: YamlPath }[] = [];
  if (isPlainRecord(step.state_update) && typeof step.state_update.path === "string") {
    written.push({ path: step.state_update.path, at: [...stepPath, "state_update", "path"] });
  }
  if (Array.isArray(step.state_updates)) {
    step.state_updates.forEach((update, index) => {
      if (isPlainRecord(update) && typeof update.path === "string") {
        written.push({ path: update.path, at: [...stepPath, "state_updates", index, "path"] });
      }
    });
  }
  for (const key of STORE_KEYS) {
    const value = step[key];
    if (typeof value === "string") written.push({ path: value, at: [...stepPath, key] });
  }
  return written;
}

/** The input and computed-field names that a step list's writes must not target. */
interface OwnerNames {
  inputs: ReadonlySet<string>;
  computed: ReadonlySet<string>;
}

function namesOf(owner: unknown): OwnerNames {
  const keys = (value: unknown) => new Set(isPlainRecord(value) ? Object.keys(value) : []);
  if (!isPlainRecord(owner)) return { inputs: new Set(), computed: new Set() };
  const stateSchema = isPlainRecord(owner.state_schema) ? owner.state_schema : {};
  return { inputs: keys(owner.inputs), computed: keys(stateSchema.computed) };
}

/** The workflow's names, or a sub-agent task's for the steps of that task. */
function ownerNames(document: unknown, owner: string, cache: Map<string, OwnerNames>): OwnerNames {
  const cached = cache.get(owner);
  if (cached) return cached;
  const task = /^sub_agent_tasks\.(.+)\.steps$/.exec(owner)?.[1];
  const tasks =
    isPlainRecord(document) && isPlainRecord(document.sub_agent_tasks) ? document.sub_agent_tasks : {};
  const names = namesOf(task === undefined ? document : tasks[task]);
  cache.set(owner, names);
  return names;
}

export function checkWritablePaths(document: unknown): Finding[] {
  const findings: Finding[] = [];
  const cache = new Map<string, OwnerNames>();
  walkSteps(document, ({ step, path, owner }) => {
    for (const written of writtenPaths(step, path)) {
      const finding = writeProblem(written.path, written.at, ownerNames(document, owner, cache));
      if (finding) findings.push(finding);
    }
  });
  return findings;
}

function writeProblem(path: string, at: YamlPath, names: OwnerNames): Finding | undefined {
  const match = ROOT_PATTERN.exec(path);
  const root = match?.[1];
  if (root !== undefined && READ_ONLY.has(root)) {
    return errorFinding("loader.read_only_path", `"${path}" is read-only: ${root}.* cannot be written`, at);
  }
  if (root === undefined || !WRITABLE.has(root) || match?.[3] === "") {
    return errorFinding(
      "loader.invalid_path",
      `"${path}" is not a writable state path: use this.<field> or global.<field> (legacy state./raw.)`,
      at,
    );
  }
  const field = match?.[2] === "." ? /^[^.[\]\s]+/.exec(match[3] ?? "")?.[0] : undefined;
  if (field === undefined) return undefined;
  if ((root === "this" || root === "state" || root === "raw") && names.computed.has(field)) {
    return errorFinding("loader.read_only_path", `"${path}" is read-only: ${field} is a computed field`, at);
  }
  if (root === "raw" && names.inputs.has(field)) {
    return errorFinding(
      "loader.read_only_path",
      `"${path}" is read-only: raw.${field} is the input ${field}`,
      at,
    );
  }
  return undefined;
}
