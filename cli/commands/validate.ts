/**
 * @module
 * `edgeflow validate <file.yaml>...`: loads each file as the server would, runs the same checks a
 * publish does on a file that loads (`publishProblems`: triggers, every expression and
 * template compiled, nothing run, and the static checks: undeclared names, `loop.*` outside a
 * loop, loops that cannot end, unreachable steps; not the tenant's secrets, which only a publish
 * can look up), and prints
 * every diagnostic as `file:line:col code message` (warnings as `file:line:col warning code message`).
 * Exit 1 when any file has an error, 0 otherwise (warnings alone pass), 2 on a usage error.
 */
import { readFile } from "node:fs/promises";
import type { Evaluator } from "../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../engine/expressions/quickjs-evaluator.ts";
import { type Diagnostic, loadWorkflow, publishProblems } from "../../engine/loader/index.ts";
import { useMeteredQuickJS } from "../metered-quickjs.ts";
import type { CommandIo } from "./command-io.ts";

export const VALIDATE_USAGE = "validate <file.yaml>...   check workflow files; exit 1 on any error";

export function formatDiagnostic(file: string, diagnostic: Diagnostic): string {
  const where = `${file}:${diagnostic.line ?? 1}:${diagnostic.column ?? 1}`;
  const marker = diagnostic.severity === "warning" ? " warning" : "";
  return `${where}${marker} ${diagnostic.code} ${diagnostic.message.replaceAll("\n", " ")}`;
}

async function diagnosticsOf(file: string, evaluator: Evaluator): Promise<Diagnostic[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return [{ code: "cli.read_failed", message: `cannot read the file (${reason})`, severity: "error" }];
  }
  const result = loadWorkflow(text);
  if (!result.ok) return [...result.errors, ...result.warnings];
  return [...publishProblems(text, result.definition, evaluator), ...result.warnings];
}

export async function validateCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const options = args.filter((arg) => arg.startsWith("-") && arg !== "-");
  const files = args.filter((arg) => !options.includes(arg));
  if (options.length > 0 || files.length === 0) {
    if (options.length > 0) io.err(`edgeflow validate: unknown option ${options[0]}`);
    io.err(`usage: edgeflow ${VALIDATE_USAGE}`);
    return 2;
  }
  let errors = 0;
  let warnings = 0;
  await useMeteredQuickJS();
  const evaluator = await createEvaluator();
  try {
    for (const file of files) {
      const diagnostics = await diagnosticsOf(file, evaluator);
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
