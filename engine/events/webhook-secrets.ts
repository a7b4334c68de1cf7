/**
 * @module
 * A webhook trigger's `secret` (one entry or a list, current first) resolved against the
 * tenant's secrets. The usual `{{ env.NAME }}` is read directly, without the sandbox; other
 * templates go through the evaluator with only `env` bound; text without `{{` is the secret
 * itself. Entries that resolve to nothing (an unset tenant secret) are left out, so a list such
 * as `["{{ env.HOOK_SECRET }}", "{{ env.HOOK_SECRET_PREVIOUS }}"]` works with or without a
 * rotation in progress. The result is what `verifyWebhook` takes as `secrets`.
 */
import type { Evaluator } from "../expressions/evaluator.ts";
import { hasTemplate, renderTemplate } from "../expressions/template.ts";

const ENV_REFERENCE = /^\s*\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*$/;

export function resolveWebhookSecrets(
  secret: string | readonly string[],
  env: Readonly<Record<string, string>>,
  evaluator?: Evaluator,
): string[] {
  const entries = typeof secret === "string" ? [secret] : secret;
  const resolved: string[] = [];
  for (const entry of entries) {
    const value = resolveOne(entry, env, evaluator);
    if (value !== undefined && value !== "") resolved.push(value);
  }
  return resolved;
}

function resolveOne(
  entry: string,
  env: Readonly<Record<string, string>>,
  evaluator: Evaluator | undefined,
): string | undefined {
  const reference = ENV_REFERENCE.exec(entry);
  if (reference !== null) {
    const name = reference[1] as string;
    return Object.hasOwn(env, name) ? env[name] : undefined;
  }
  if (!hasTemplate(entry)) return entry;
  if (evaluator === undefined) return undefined;
  try {
    const value = renderTemplate(entry, (source) => evaluator.evaluate(source, { env }));
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
