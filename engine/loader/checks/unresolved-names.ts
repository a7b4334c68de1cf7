/**
 * @module
 * Names an expression reads that nothing in the file gives a value (`check.unresolved_name`,
 * a warning: the name reads as `undefined`, and an agent could still set it through
 * `workflow_state_update`), and `loop.*` read where no loop provides it
 * (`check.loop_outside_loop`, a warning: it renders as empty text). What counts as declared is
 * `declared-names.ts`; bare names are not judged where the run binds names the file cannot show
 * (a trigger's filter and mappings read the event's payload; a state update of a step with a
 * result reads the result's fields). Each finding names the scope where the name was looked for
 * and, when one is close, the name that was probably meant.
 */
import type { WorkflowDefinition } from "../../dialect/index.ts";
import type { ProblemInDefinition } from "../check-expressions.ts";
import type { Severity } from "../diagnostic.ts";
import { NameHints } from "./closest-name.ts";
import { bareCandidates, type DeclaredNames, declaredNames } from "./declared-names.ts";
import type { BareRead, ScopedRead } from "./expression-names.ts";
import type { SiteReads } from "./site-reads.ts";
import { STEPS_WITHOUT_RESULT } from "./step-groups.ts";

export type StaticProblem = ProblemInDefinition & { severity: Severity };

/** Bare names the engine binds for a step (its result's fields, a sub-agent's `task_id`), and a computed transform's `input`. */
const ENGINE_LOCALS: ReadonlySet<string> = new Set([
  "result",
  "response",
  "stdout",
  "stderr",
  "returncode",
  "exit_code",
  "full_output",
  "user_input",
  "value",
  "task_id",
]);
const LOOP_FIELDS: ReadonlySet<string> = new Set(["item", "index", "iteration"]);

export function checkNames(
  definition: WorkflowDefinition,
  sites: readonly SiteReads[],
  hints: NameHints = new NameHints(),
): StaticProblem[] {
  const names = declaredNames(definition);
  const bare = bareCandidates(names);
  const problems: StaticProblem[] = [];
  for (const entry of sites) {
    const seen = new Set<string>();
    const once = (key: string, problem: StaticProblem | undefined) => {
      if (problem === undefined || seen.has(key)) return;
      seen.add(key);
      problems.push(problem);
    };
    for (const read of entry.reads.scoped) {
      const key = `${read.root}.${read.field}`;
      if (!seen.has(key)) once(key, scopedProblem(read, entry, names, hints));
    }
    if (!judgesBareNames(entry)) continue;
    for (const read of entry.reads.bare) {
      if (bare.has(read.name) || ENGINE_LOCALS.has(read.name)) continue;
      if (entry.context.region === "computed" && read.name === "input") continue;
      if (!seen.has(read.name)) once(read.name, bareProblem(read, entry, bare, hints));
    }
  }
  return problems;
}

function judgesBareNames({ site, context }: SiteReads): boolean {
  if (context.region === "trigger") return false;
  // `dependency_flow`'s `{{ dependencies }}` is the file's block
  if (context.step?.type === "dependency_flow" && context.field === "graph") return false;
  const isUpdate = context.field === "state_update" || context.field === "state_updates";
  if (isUpdate && !STEPS_WITHOUT_RESULT.has(String(context.step?.type))) return false;
  return site.path.length > 0;
}

function scopedProblem(
  read: ScopedRead,
  { site, context }: SiteReads,
  names: DeclaredNames,
  hints: NameHints,
): StaticProblem | undefined {
  const { root, field } = read;
  if (root === "loop") return loopProblem(read, site.path, context.loops, context.region);
  if (field === undefined || root === "event") return undefined;
  const pools: Record<string, readonly Set<string>[]> = {
    this: [names.state, names.computed],
    state: [names.state, names.computed],
    computed: [names.state, names.computed],
    raw: [names.state, names.computed, names.inputs],
    inputs: [names.inputs],
    global: [names.global],
    config: [names.config],
    tasks: [names.tasks],
  };
  const pool = pools[root];
  if (pool === undefined || pool.some((set) => set.has(field))) return undefined;
  const where: Record<string, string> = {
    inputs: "is not an input (inputs, default_state.inputs)",
    global: "is not a global (default_state.global, or a step writing global.<name>)",
    config: "is not a key of the file's config block",
    tasks: "is not a task of the dependencies block",
  };
  const close = hints.closest(root, field, () => pool.flatMap((set) => [...set]));
  const hint = suggestion(field, close, root, names);
  return {
    code: "check.unresolved_name",
    severity: "warning",
    path: site.path,
    offset: read.offset,
    message:
      `${root}.${field} ${where[root] ?? "is not a state field: nothing declares it (default_state.state, state_schema) and no step writes it"}, ` +
      `so it reads as undefined${hint}`,
  };
}

function bareProblem(
  read: BareRead,
  { site }: SiteReads,
  candidates: ReadonlySet<string>,
  hints: NameHints,
): StaticProblem {
  const close = hints.closest("", read.name, () => candidates);
  const hint = close === undefined ? "" : `; did you mean \`${close}\`?`;
  return {
    code: "check.unresolved_name",
    severity: "warning",
    path: site.path,
    offset: read.offset,
    message:
      `"${read.name}" is declared nowhere in the file (no input, state field, computed field, global or loop variable, and no step writes it), ` +
      `so it reads as undefined: declare it (inputs, default_state) or write it in a state_update${hint}`,
  };
}

/** A hint for `root.field`: a close name in the same scope (`close`), or the scope that has exactly that name. */
function suggestion(field: string, close: string | undefined, root: string, names: DeclaredNames): string {
  if (close !== undefined) return `; did you mean \`${root}.${close}\`?`;
  if (names.inputs.has(field) && root !== "inputs") return `; did you mean \`inputs.${field}\`?`;
  if ((names.state.has(field) || names.computed.has(field)) && root !== "this")
    return `; did you mean \`this.${field}\`?`;
  if (names.global.has(field) && root !== "global") return `; did you mean \`global.${field}\`?`;
  return "";
}

function loopProblem(
  read: ScopedRead,
  path: StaticProblem["path"],
  loops: readonly string[],
  region: string,
): StaticProblem | undefined {
  const { field } = read;
  if (field === undefined) return undefined;
  const at = { severity: "warning" as const, path, offset: read.offset };
  if (!LOOP_FIELDS.has(field)) {
    return {
      ...at,
      code: "check.unresolved_name",
      message: `loop.${field} does not exist: a loop offers loop.item and loop.index (foreach) and loop.iteration (both loops)`,
    };
  }
  // a computed field is recomputed for the loop it is read in
  if (region === "computed") return undefined;
  const innermost = loops.at(-1);
  if (innermost === undefined) {
    return {
      ...at,
      code: "check.loop_outside_loop",
      message: `loop.${field} is read outside any while_loop or foreach body, where it is always undefined (rendered as empty text): move the step into the loop's body, or store the value in state inside the loop and read that`,
    };
  }
  if (innermost === "while_loop" && field !== "iteration") {
    return {
      ...at,
      code: "check.loop_outside_loop",
      message: `loop.${field} is read in a while_loop, which has only loop.iteration: loop.item and loop.index belong to a foreach (an enclosing foreach's item is hidden by the inner loop; give that foreach a variable_name and read the bare name)`,
    };
  }
  return undefined;
}
