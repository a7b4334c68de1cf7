/**
 * Where Chromium is for the OAuth e2e test: `CHROMIUM_PATH`, else Debian's `chromium` package
 * (`.ci/run` installs it when missing). `null` when there is none; the test then skips and says why.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  for (const path of candidates) {
    if (path !== undefined && path !== "" && existsSync(path)) return path;
  }
  try {
    const found = execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], {
      encoding: "utf8",
    });
    return found.trim() === "" ? null : found.trim();
  } catch {
    return null;
  }
}
