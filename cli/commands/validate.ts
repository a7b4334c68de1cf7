/**
 * @module
 * `edgeflow validate <file.yaml>...`: loads each file as the server would, runs the same checks a
 * publish does on a file that loads (`publishProblems`: triggers, every expression and
 * template compiled, nothing run, and the static checks: undeclared names, `loop.*` outside a
 * loop, loops that cannot end, unreachable steps; not the tenant's secrets, which only a publish
 * can look up), and prints
 * every diagnostic as `file:line:col code message` (warnings as `file:line:col warning code message`).
 * Exit 1 when any file has an error, 0 otherwise (warnings alone pass), 2 on a usage error.
 * `--against <old.yaml>` also compares each file with the old one as publish would (./validate-against.ts):
 * the differences are printed, and a breaking change without a major version bump is an error.
 */
import { readFile } from "node:fs/promises";
import type { WorkflowDefinition } from "../../engine/dialect/index.ts";
import type { Evaluator } from "../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../engine/expressions/quickjs-evaluator.ts";
import { type Diagnostic, loadWorkflow, publishProblems } from "../../engine/loader/index.ts";
import { deprecationWarnings } from "../../engine/versions/compatibility-deprecation-warnings.ts";
import { useMeteredQuickJS } from "../metered-quickjs.ts";
import type { CommandIo } from "./command-io.ts";
import { compareAgainst } from "./validate-against.ts";

export const VALIDATE_USAGE =
  "validate <file.yaml>... [--against <old.yaml>]   check workflow files (and their compatibility with old.yaml); exit 1 on any error";

export function formatDiagnostic(file: string, diagnostic: Diagnostic): string {
  const where = `${file}:${diagnostic.line ?? 1}:${diagnostic.column ?? 1}`;
  const marker = diagnostic.severity === "warning" ? " warning" : "";
  return `${where}${marker} ${diagnostic.code} ${diagnostic.message.replaceAll("\n", " ")}`;
}

interface Checked {
  diagnostics: Diagnostic[];
  text?: string;
  definition?: WorkflowDefinition;
}

async function check(file: string, evaluator: Evaluator): Promise<Checked> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return {
      diagnostics: [
        { code: "cli.read_failed", message: `cannot read the file (${reason})`, severity: "error" },
      ],
    };
  }
  const result = loadWorkflow(text);
  if (!result.ok) return { diagnostics: [...result.errors, ...result.warnings], text };
  const diagnostics = [
    ...publishProblems(text, result.definition, evaluator),
    ...deprecationWarnings(text, result.definition),
    ...result.warnings,
  ];
  return { diagnostics, text, definition: result.definition };
}

/** `--against <file>` or `--against=<file>` taken out of the arguments. */
function againstOption(args: readonly string[]): { rest: string[]; against?: string; missing?: true } {
  const rest: string[] = [];
  let against: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--against") {
      const value = args[++index];
      if (value === undefined) return { rest, missing: true };
      against = value;
    } else if (arg.startsWith("--against=")) against = arg.slice("--against=".length);
    else rest.push(arg);
  }
  return against === undefined ? { rest } : { rest, against };
}

export async function validateCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { rest, against, missing } = againstOption(args);
  const options = rest.filter((arg) => arg.startsWith("-") && arg !== "-");
  const files = rest.filter((arg) => !options.includes(arg));
  if (missing || options.length > 0 || files.length === 0) {
    if (missing) io.err("edgeflow validate: --against needs a file");
    if (options.length > 0) io.err(`edgeflow validate: unknown option ${options[0]}`);
    io.err(`usage: edgeflow ${VALIDATE_USAGE}`);
    return 2;
  }
  let errors = 0;
  let warnings = 0;
  await useMeteredQuickJS();
  const evaluator = await createEvaluator();
  try {
    const old = against === undefined ? undefined : await check(against, evaluator);
    if (against !== undefined && old?.definition === undefined) {
      for (const diagnostic of old?.diagnostics ?? []) io.out(formatDiagnostic(against, diagnostic));
      io.out(`${against}: cannot compare with a file that does not load`);
      return 1;
    }
    for (const file of files) {
      const checked = await check(file, evaluator);
      const diagnostics = checked.diagnostics;
      if (against !== undefined && old?.definition !== undefined && checked.definition !== undefined) {
        const compared = compareAgainst(file, checked.text!, checked.definition, against, old.definition);
        for (const line of compared.lines) io.out(line);
        if (compared.refusal !== undefined) diagnostics.push(compared.refusal);
      }
      for (const diagnostic of diagnostics) {
        io.out(formatDiagnostic(file, diagnostic));
        if (diagnostic.severity === "error") errors++;
        else warnings++;
      }
    }
  } finally {
    evaluator.dispose();
  }
  io.out(`${files.length} file(s) checked: ${errors} error(s), ${warnings} warning(s)`);
  return errors > 0 ? 1 : 0;
}
