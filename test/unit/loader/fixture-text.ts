/**
 * @module
 * Reads a workflow fixture under test/fixtures as text, and names the sets of fixtures several
 * tests go through.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
}

export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}

/** The AroMCP workflow files in the current dialect, as their project wrote them. */
export const AROMCP_FILES = [
  "aromcp/analyze-dependencies.yaml",
  "aromcp/code-standards-enforce.yaml",
  "aromcp/test-agent-communication.yaml",
  "aromcp/test-simple.yaml",
  "aromcp/test-sub-agents.yaml",
] as const;

/** The AroMCP files from before phase 6 (`schema_version: 1`), which the loader upgrades. */
export const AROMCP_PHASE5_FILES = [
  "aromcp/phase5-era/analyze-dependencies.yaml",
  "aromcp/phase5-era/code-standards-enforce.yaml",
  "aromcp/phase5-era/test-simple.yaml",
] as const;
