/**
 * @module
 * `edgeflow watch <dir>`: watches a directory and posts every settled file change to edgeflow as
 * a `file_change` event (`POST /events` with a tenant key), so workflows with `file_change`
 * triggers run. Paths are relative to `<dir>`. Runs until Ctrl-C (or the signal), then sends what
 * is still pending. Exit 2 on a usage error.
 */

import { stat } from "node:fs/promises";
import process from "node:process";
import type { SendResult } from "../watch/event-sender.ts";
import { baseUrlOf } from "../watch/event-sender.ts";
import { DEFAULT_IGNORES, WatchSession } from "../watch/watch-session.ts";
import type { CommandIo } from "./command-io.ts";

export const WATCH_USAGE =
  "watch <dir> [--url URL] [--key KEY] [--source NAME] [--debounce MS] [--ignore GLOB]...\n" +
  "                            post file changes under <dir> as file_change events\n" +
  "                            (URL and KEY default to $EDGEFLOW_URL and $EDGEFLOW_KEY)";

export interface WatchArguments {
  dir: string;
  url: string;
  key: string;
  source?: string;
  windowMs?: number;
  ignore: string[];
}

/** Parses the arguments; a string is the usage error to print. */
export function parseWatchArguments(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): WatchArguments | string {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  const ignore: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    if (!["url", "key", "source", "debounce", "ignore"].includes(name)) return `unknown option --${name}`;
    const value = inline ?? args[++i];
    if (value === undefined) return `--${name} needs a value`;
    if (name === "ignore") ignore.push(value);
    else options[name] = value;
  }
  if (positional.length !== 1) return "give exactly one directory to watch";
  const url = options.url ?? env.EDGEFLOW_URL;
  const key = options.key ?? env.EDGEFLOW_KEY;
  if (url === undefined || !/^https?:\/\//.test(url))
    return "give the edgeflow URL with --url or EDGEFLOW_URL";
  if (key === undefined || key === "") return "give a tenant API key with --key or EDGEFLOW_KEY";
  const parsed: WatchArguments = {
    dir: positional[0] as string,
    url: baseUrlOf(url),
    key,
    ignore: ignore.length > 0 ? ignore : [...DEFAULT_IGNORES],
  };
  if (options.source !== undefined) parsed.source = options.source;
  if (options.debounce !== undefined) {
    const ms = Number(options.debounce);
    if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) return "--debounce is milliseconds, 0 to 60000";
    parsed.windowMs = ms;
  }
  return parsed;
}

export function describeResult(result: SendResult): string {
  const { path, change } = result.change;
  if (!result.ok) return `${change} ${path}: not sent (${result.error})`;
  const runs = result.runs.length === 1 ? "1 run" : `${result.runs.length} runs`;
  return `${change} ${path} → ${runs}${result.runs.length > 0 ? ` (${result.runs.join(", ")})` : ""}`;
}

/** Watches until `signal` aborts (the CLI aborts on SIGINT/SIGTERM). */
export async function watchCommand(
  args: readonly string[],
  io: CommandIo,
  signal: AbortSignal = stopSignal(),
): Promise<number> {
  const parsed = parseWatchArguments(args, process.env);
  if (typeof parsed === "string") {
    io.err(`edgeflow watch: ${parsed}\nusage: edgeflow ${WATCH_USAGE}`);
    return 2;
  }
  const isDirectory = await stat(parsed.dir).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    io.err(`edgeflow watch: ${parsed.dir} is not a directory`);
    return 2;
  }
  const session = new WatchSession({
    ...parsed,
    onSent: (result) => (result.ok ? io.out : io.err)(describeResult(result)),
    onError: (error) => io.err(`edgeflow watch: ${error.message}`),
  });
  await session.start();
  io.out(`watching ${parsed.dir} → ${parsed.url}/events (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await session.stop();
  return 0;
}

function stopSignal(): AbortSignal {
  const controller = new AbortController();
  for (const name of ["SIGINT", "SIGTERM"] as const) process.once(name, () => controller.abort());
  return controller.signal;
}
