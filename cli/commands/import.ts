/**
 * @module
 * `edgeflow import <file>`: sends a package written by `edgeflow export --format package` to
 * `workflow_import` on a running edgeflow (docs/versioning.md, "Export and import") and prints
 * each version and whether it was published or already there. Exit 0 on success, 1 when the file
 * cannot be read or edgeflow refuses the package (its code is printed), 2 on a usage error.
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { callRemoteTool, type RemoteOptions } from "../remote/remote-tool.ts";
import type { CommandIo } from "./command-io.ts";
import { parseRemoteArguments } from "./remote-arguments.ts";

export const IMPORT_USAGE =
  "import <file> [--url URL] [--key KEY]\n" +
  "                            publish every version of a package from `edgeflow export --format package`, all or none";

export async function importCommand(
  args: readonly string[],
  io: CommandIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
  transport: Pick<RemoteOptions, "fetch"> = {},
): Promise<number> {
  const parsed = parseRemoteArguments(args, [], env);
  if (typeof parsed === "string" || parsed.positional.length !== 1) {
    io.err(`${typeof parsed === "string" ? `${parsed}\n` : ""}usage: edgeflow ${IMPORT_USAGE}`);
    return 2;
  }
  const file = parsed.positional[0] as string;
  let pkg: unknown;
  try {
    pkg = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    io.err(
      `${file}: not a package file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
    return 1;
  }
  const answer = await callRemoteTool({ url: parsed.url, key: parsed.key, ...transport }, "workflow_import", {
    package: pkg,
  });
  if (!answer.ok) {
    io.err(`edgeflow import: ${answer.code}: ${answer.message}`);
    return 1;
  }
  const versions = answer.value.versions as { version: string; created: boolean }[];
  for (const { version, created } of versions) {
    io.out(`${answer.value.workflow}@${version}: ${created ? "published" : "already published, unchanged"}`);
  }
  const signer = answer.value.signed_by;
  io.out(
    typeof signer === "string"
      ? `signature verified (key ${signer})`
      : "unsigned package (checksums verified)",
  );
  return 0;
}
