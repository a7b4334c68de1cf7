/**
 * @module
 * One structured log line (docs/observability.md, "Logs"): a flat JSON object, one per line, as
 * Workers Logs indexes it. Fields are scalars only (strings clipped to `MAX_LOG_TEXT`), so a
 * line can never carry a body, a state value or a nested secret. Pure: callers write the line
 * (`console.log` for `info`, `console.warn`/`console.error` for the others).
 */

export type LogLevel = "info" | "warn" | "error";
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export const MAX_LOG_TEXT = 256;

/** `{"level":…,"event":…,…}` with undefined fields left out. */
export function formatLogLine(level: LogLevel, fields: LogFields): string {
  const record: Record<string, string | number | boolean> = { level };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    record[key] =
      typeof value === "string" && value.length > MAX_LOG_TEXT ? value.slice(0, MAX_LOG_TEXT) : value;
  }
  return JSON.stringify(record);
}

/** Writes the line to the console method of its level. */
export function writeLogLine(
  console: Pick<Console, "log" | "warn" | "error">,
  level: LogLevel,
  fields: LogFields,
): void {
  const line = formatLogLine(level, fields);
  if (level === "info") console.log(line);
  else if (level === "warn") console.warn(line);
  else console.error(line);
}
