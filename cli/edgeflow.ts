#!/usr/bin/env node
/**
 * @module
 * The `edgeflow` command: dispatches to one module per command under cli/commands/.
 * Exit codes: 0 success, 1 the command found problems, 2 usage error.
 */
import process from "node:process";
import { AUDIT_USAGE, auditCommand } from "./commands/audit.ts";
import type { CommandIo } from "./commands/command-io.ts";
import { EXPORT_USAGE, exportCommand } from "./commands/export.ts";
import { IMPORT_USAGE, importCommand } from "./commands/import.ts";
import { VALIDATE_USAGE, validateCommand } from "./commands/validate.ts";
import { WATCH_USAGE, watchCommand } from "./commands/watch.ts";

type Command = (args: readonly string[], io: CommandIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  validate: { run: validateCommand, usage: VALIDATE_USAGE },
  watch: { run: (args, io) => watchCommand(args, io), usage: WATCH_USAGE },
  audit: { run: auditCommand, usage: AUDIT_USAGE },
  export: { run: (args, io) => exportCommand(args, io), usage: EXPORT_USAGE },
  import: { run: (args, io) => importCommand(args, io), usage: IMPORT_USAGE },
};

const USAGE = [
  "usage: edgeflow <command> [arguments]",
  "",
  "commands:",
  ...Object.values(COMMANDS).map((command) => `  ${command.usage}`),
].join("\n");

export async function main(args: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === "--help" || name === "-h" || name === "help") {
    io.out(USAGE);
    return 0;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    io.err(name === undefined ? USAGE : `edgeflow: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  return command.run(rest, io);
}

const io: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    io.err(`edgeflow: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
