/** engine/events stays pure: no clock, no timers, no randomness in decisions, no I/O, no Cloudflare imports. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../engine/events/", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

it.each(sources(root).map((path) => [path.slice(root.length), path]))(
  "%s reads no clock and does no I/O",
  (_name, path) => {
    const text = readFileSync(path, "utf8");
    for (const forbidden of [
      /Date\.now\(/,
      /new Date\(\)/,
      /performance\.now/,
      /setTimeout|setInterval/,
      /Math\.random/,
      /\bfetch\(/,
      /from "cloudflare:/,
      /from "node:/,
    ]) {
      expect(text).not.toMatch(forbidden);
    }
    expect(text.startsWith("/**\n * @module")).toBe(true);
  },
);
