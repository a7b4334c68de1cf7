/**
 * A headless "browser" for `mcp-remote` in the OAuth e2e test (test/e2e/oauth-connector.test.ts):
 * `BROWSER` points at a wrapper that runs this script with the authorize URL mcp-remote prints. It
 * does what a person does on the consent page: loads it (keeping its cookie), pastes the API key
 * from `EDGEFLOW_CONSENT_KEY`, presses Allow, and follows the redirect to mcp-remote's callback.
 * Each step is appended to the file `EDGEFLOW_OPENER_LOG`.
 */
import { appendFileSync } from "node:fs";

const url = process.argv[2] ?? "";
const note = (line) => appendFileSync(process.env.EDGEFLOW_OPENER_LOG ?? "/dev/null", `${line}\n`);

try {
  note(`open ${url}`);
  const page = await fetch(url, { redirect: "manual" });
  const html = await page.text();
  const handle = /name="handle" value="([^"]*)"/.exec(html)?.[1] ?? "";
  const cookie = page.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  note(`consent page ${page.status}${handle === "" ? " (no form)" : ""}`);
  const form = new URLSearchParams({
    handle,
    decision: "approve",
    api_key: process.env.EDGEFLOW_CONSENT_KEY ?? "",
  });
  for (const scope of ["runs:read", "runs:drive", "workflows:publish"]) form.append("scope", scope);
  const answer = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: form.toString(),
    redirect: "manual",
  });
  const location = answer.headers.get("location");
  note(`allow ${answer.status} -> ${location === null ? "(no redirect)" : new URL(location).pathname}`);
  if (location !== null) {
    const callback = await fetch(location);
    note(`callback ${callback.status}`);
  }
} catch (error) {
  note(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
