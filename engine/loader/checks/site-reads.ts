/**
 * @module
 * The names every expression site of a definition reads, each with its context and its offset in
 * the site's text (a template's parts are read one by one; a template that does not parse is
 * left to the expression check), and of each computed field's `from` paths. Shared by the name, loop and loop-condition checks. Pure.
 */
import type { WorkflowDefinition } from "../../dialect/index.ts";
import { expressionStart, hasTemplate, parseTemplate } from "../../expressions/template.ts";
import { computedFromEntries } from "../check-secret-fields.ts";
import { type ExpressionSite, listExpressionSites } from "../expression-sites.ts";
import type { CheckBudget } from "./check-budget.ts";
import { type ExpressionNames, expressionNames } from "./expression-names.ts";
import { type SiteContext, siteContext } from "./site-context.ts";

export interface SiteReads {
  site: ExpressionSite;
  context: SiteContext;
  /** the names of each expression, offsets moved to the site's text */
  reads: ExpressionNames;
}

export function siteReads(definition: WorkflowDefinition, meter?: CheckBudget): SiteReads[] {
  const sites = listExpressionSites(definition).map((site) => ({
    site,
    context: siteContext(definition, site.path),
    reads: readsOf(site, meter),
  }));
  return [...sites, ...fromPathReads(definition, meter)];
}

/**
 * A computed field's `from` paths (entries without `{{`): only the scope and first field count
 * (`this.results.file-1` reads `this.results`; what follows is a path, not names).
 */
function fromPathReads(definition: WorkflowDefinition, meter?: CheckBudget): SiteReads[] {
  return computedFromEntries(definition).flatMap(({ path, from }) => {
    if (hasTemplate(from)) return [];
    const site: ExpressionSite = { path, text: from, form: "expression", kind: "transform" };
    const { scoped } = readsOf(site, meter);
    const first = scoped.filter((read) => read.offset === from.length - from.trimStart().length);
    return [
      {
        site,
        context: { region: "computed", loops: [] },
        reads: { scoped: first, bare: [], readsClock: false },
      },
    ];
  });
}

/** The names of a site's expressions, with offsets in its text. */
export function readsOf(site: Pick<ExpressionSite, "text" | "form">, meter?: CheckBudget): ExpressionNames {
  const reads: ExpressionNames = { scoped: [], bare: [], readsClock: false };
  for (const { source, start } of expressionsOf(site)) {
    const names = expressionNames(source, meter);
    reads.readsClock ||= names.readsClock;
    for (const read of names.scoped) reads.scoped.push({ ...read, offset: start + read.offset });
    for (const read of names.bare) reads.bare.push({ ...read, offset: start + read.offset });
  }
  return reads;
}

function expressionsOf(site: Pick<ExpressionSite, "text" | "form">): { source: string; start: number }[] {
  if (site.form === "expression") return [{ source: site.text, start: 0 }];
  let parts: ReturnType<typeof parseTemplate>;
  try {
    parts = parseTemplate(site.text);
  } catch {
    return [];
  }
  return parts.flatMap((part) => {
    if (part.kind !== "expression") return [];
    return [{ source: part.source, start: expressionStart(site.text, part.offset) }];
  });
}
