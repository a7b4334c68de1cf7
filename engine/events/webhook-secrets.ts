/**
 * @module
 * A webhook trigger's `secret` (one entry or a list, current first) resolved against the
 * tenant's secrets on the host: each entry is a capability field (`secrets/secret-template.ts`),
 * literal text with `{{ env.NAME }}` references substituted, never evaluated. Entries that
 * resolve to nothing (an unset tenant secret, or a template that is not a secret reference in a
 * definition stored before that was refused) are left out, so a list such as
 * `["{{ env.HOOK_SECRET }}", "{{ env.HOOK_SECRET_PREVIOUS }}"]` works with or without a rotation
 * in progress. The result is what `verifyWebhook` takes as `secrets`.
 */
import { resolveSecretTemplate } from "../secrets/secret-template.ts";

export function resolveWebhookSecrets(
  secret: string | readonly string[],
  env: Readonly<Record<string, string>>,
): string[] {
  const entries = typeof secret === "string" ? [secret] : secret;
  const resolved: string[] = [];
  for (const entry of entries) {
    const value = resolveSecretTemplate(entry, env);
    if (value !== undefined && value !== "") resolved.push(value);
  }
  return resolved;
}
