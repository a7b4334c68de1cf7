/**
 * @module
 * Arguments of the CLI commands that talk to a running edgeflow (`export`, `import`): positional
 * arguments and `--name value` (or `--name=value`) options from an allowed list, with `--url` and
 * `--key` defaulting to `$EDGEFLOW_URL` and `$EDGEFLOW_KEY`. A string answer is the usage error.
 */

export interface RemoteArguments {
  positional: string[];
  options: Record<string, string>;
  url: string;
  key: string;
}

export function parseRemoteArguments(
  args: readonly string[],
  allowed: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): RemoteArguments | string {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    if (![...allowed, "url", "key"].includes(name)) return `unknown option --${name}`;
    const value = inline ?? args[++i];
    if (value === undefined) return `--${name} needs a value`;
    options[name] = value;
  }
  const url = options.url ?? env.EDGEFLOW_URL;
  const key = options.key ?? env.EDGEFLOW_KEY;
  if (url === undefined || url === "") return "give the edgeflow URL with --url or EDGEFLOW_URL";
  if (key === undefined || key === "") return "give a tenant API key with --key or EDGEFLOW_KEY";
  return { positional, options, url, key };
}
