/**
 * @module
 * `edgeflow export <workflow> [--format yaml|json|package] [--version V] [--out FILE]`: calls
 * `workflow_export` on a running edgeflow (docs/versioning.md, "Export and import") and writes the
 * YAML exactly as published, the definition as JSON, or the package as JSON, to FILE or standard
 * output. Exit 0 on success, 1 when edgeflow refuses (its code is printed), 2 on a usage error.
 */
import { writeFile } from "node:fs/promises";
import process from "node:process";
import { callRemoteTool, type RemoteOptions } from "../remote/remote-tool.ts";
import type { CommandIo } from "./command-io.ts";
import { parseRemoteArguments } from "./remote-arguments.ts";

export const EXPORT_USAGE =
  "export <workflow> [--format yaml|json|package] [--version V] [--out FILE] [--url URL] [--key KEY]\n" +
  "                            write a published workflow: its YAML as published, its definition, or a package\n" +
  "                            of every version for `edgeflow import` (URL and KEY default to $EDGEFLOW_URL and $EDGEFLOW_KEY)";

const FORMATS = ["yaml", "json", "package"] as const;

export async function exportCommand(
  args: readonly string[],
  io: CommandIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
  transport: Pick<RemoteOptions, "fetch"> = {},
): Promise<number> {
  const parsed = parseRemoteArguments(args, ["format", "version", "out"], env);
  const format = typeof parsed === "string" ? undefined : (parsed.options.format ?? "yaml");
  if (
    typeof parsed === "string" ||
    parsed.positional.length !== 1 ||
    !FORMATS.some((known) => known === format)
  ) {
    io.err(`${typeof parsed === "string" ? `${parsed}\n` : ""}usage: edgeflow ${EXPORT_USAGE}`);
    return 2;
  }
  const { version, out } = parsed.options;
  const answer = await callRemoteTool({ url: parsed.url, key: parsed.key, ...transport }, "workflow_export", {
    workflow: parsed.positional[0],
    format,
    ...(version === undefined ? {} : { version }),
  });
  if (!answer.ok) {
    io.err(`edgeflow export: ${answer.code}: ${answer.message}`);
    return 1;
  }
  const text =
    format === "yaml"
      ? String(answer.value.yaml)
      : `${JSON.stringify(format === "json" ? answer.value.definition : answer.value.package, null, 2)}\n`;
  if (out === undefined) {
    io.out(text.endsWith("\n") ? text.slice(0, -1) : text);
  } else {
    await writeFile(out, text);
    io.err(`wrote ${out}`);
  }
  return 0;
}
