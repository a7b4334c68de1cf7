/**
 * @module
 * The one way a workflow names a tenant secret: `{{ env.NAME }}` inside a capability field, a
 * field whose value the platform itself uses and never shows to an expression (a webhook
 * trigger's `secret`, `external_call.auth`, `external_state.config`; service and plugin
 * configuration and notification credentials once they exist). Such a field is literal text with
 * any number of `{{ env.NAME }}` references in it (`Bearer {{ env.TOKEN }}`,
 * `redis://:{{ env.REDIS_PASSWORD }}@cache:6379`); anything else inside `{{ }}` is refused. It is
 * resolved on the host by plain substitution: nothing is evaluated, so the expression sandbox
 * never receives a secret. Pure: no I/O, no evaluator.
 */

import type { ErrorCode } from "../errors.ts";
import { isEngineError } from "../errors.ts";
import { hasTemplate, parseTemplate } from "../expressions/template.ts";

/** A secret's name (`env.NAME`): a letter or `_`, then letters, digits and `_`; 128 characters at most. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** The fields where `{{ env.NAME }}` is allowed, for messages. */
export const CAPABILITY_FIELDS_TEXT =
  "a webhook trigger's secret, external_call.auth, external_state.config (and service, plugin and notification credentials)";

const REFERENCE = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/;

export type SecretTemplatePart = { kind: "text"; text: string } | { kind: "secret"; name: string };

/** What is wrong with a capability field, and where (offset in its text). */
export interface SecretTemplateProblem {
  code: ErrorCode;
  message: string;
  offset: number;
}

/** A capability field's parts, or the first problem with it. Text without `{{` is one literal part. */
export function parseSecretTemplate(
  text: string,
): { ok: true; parts: SecretTemplatePart[] } | { ok: false; problem: SecretTemplateProblem } {
  if (!hasTemplate(text)) return { ok: true, parts: [{ kind: "text", text }] };
  let template: ReturnType<typeof parseTemplate>;
  try {
    template = parseTemplate(text);
  } catch (error) {
    if (!isEngineError(error)) throw error;
    const offset = offsetOf(text, error.line ?? 1, error.column ?? 1);
    return { ok: false, problem: { code: error.code, message: error.message, offset } };
  }
  const parts: SecretTemplatePart[] = [];
  for (const part of template) {
    if (part.kind === "text") {
      parts.push(part);
      continue;
    }
    const name = REFERENCE.exec(part.source)?.[1];
    if (name === undefined || !SECRET_NAME_PATTERN.test(name)) {
      return { ok: false, problem: invalidReference(part.source, part.offset) };
    }
    parts.push({ kind: "secret", name });
  }
  return { ok: true, parts };
}

/**
 * The value of a capability field with every `{{ env.NAME }}` replaced by the secret. `undefined`
 * when a referenced secret is not set or the field is not a valid secret template (a definition
 * stored before the check existed): such a field never falls back to evaluating anything.
 */
export function resolveSecretTemplate(
  text: string,
  secrets: Readonly<Record<string, string>>,
): string | undefined {
  const parsed = parseSecretTemplate(text);
  if (!parsed.ok) return undefined;
  let value = "";
  for (const part of parsed.parts) {
    if (part.kind === "text") value += part.text;
    else if (Object.hasOwn(secrets, part.name)) value += secrets[part.name];
    else return undefined;
  }
  return value;
}

function invalidReference(source: string, offset: number): SecretTemplateProblem {
  const shown = source.length > 60 ? `${source.slice(0, 59)}…` : source;
  return {
    code: "secret.invalid_reference",
    message:
      `{{ ${shown} }} is not a secret reference: a field that hands a secret to the platform ` +
      "takes literal text and {{ env.NAME }} references only, never an expression",
    offset,
  };
}

/** Offset of 1-based `line`/`column` in `text`. */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) break;
    offset = next + 1;
  }
  return Math.min(offset + column - 1, text.length);
}
