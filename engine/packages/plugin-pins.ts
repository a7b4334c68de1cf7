/**
 * @module
 * The plugin versions a package pins for each workflow version: what publish resolved for it
 * (engine/plugins/published.ts), one `{service, plugin, version}` per service and the
 * `external_state` backend, sorted by service. On import the same YAML resolves again in the
 * target deployment; `withPins` then puts the package's exact versions back, so the imported
 * version runs on the plugin versions it ran on where it came from (and exports the same pins).
 * A pin is only taken when it is one the YAML could have resolved to: import checks the YAML again
 * against `pinnedCatalog` (only the pinned versions of each pinned plugin), so a pin outside the
 * `uses:` range (same pre-release rule as the resolver) or a config the pinned version refuses fails.
 */
import type { PluginCatalog } from "../plugins/descriptor.ts";
import { type PublishedPlugins, publishedExternalState, publishedServices } from "../plugins/published.ts";
import type { PinnedPlugin } from "./package-format.ts";

/** The pins of a stored definition (none for a version stored before publish resolved plugins). */
export function pinsOf(definition: unknown): PinnedPlugin[] {
  const external = publishedExternalState(definition);
  return [...publishedServices(definition), ...(external === undefined ? [] : [external])]
    .map(({ name, plugin, version }) => ({ service: name, plugin, version }))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

/** The first pin whose exact plugin version the catalog does not hold. */
export function missingPin(pins: readonly PinnedPlugin[], catalog: PluginCatalog): PinnedPlugin | undefined {
  return pins.find((pin) => !catalog.plugins.some((p) => p.name === pin.plugin && p.version === pin.version));
}

/**
 * `catalog` narrowed to the pinned versions of every plugin a pin names (other plugins untouched):
 * resolving the YAML against it gives the pinned version when it satisfies the `uses:` range, and
 * checks the configuration, methods and roles against that version's descriptor.
 */
export function pinnedCatalog(catalog: PluginCatalog, pins: readonly PinnedPlugin[]): PluginCatalog {
  const pinned = new Map<string, Set<string>>();
  for (const pin of pins) pinned.set(pin.plugin, (pinned.get(pin.plugin) ?? new Set()).add(pin.version));
  return {
    plugins: catalog.plugins.filter((plugin) => pinned.get(plugin.name)?.has(plugin.version) ?? true),
  };
}

/** The first pin the YAML, resolved against `pinnedCatalog`, did not resolve to (a service pinned elsewhere in range). */
export function unresolvedPin(
  resolved: PublishedPlugins,
  pins: readonly PinnedPlugin[],
): PinnedPlugin | undefined {
  const here = pinsOf({ resolved });
  return pins.find(
    (pin) =>
      !here.some((s) => s.service === pin.service && s.plugin === pin.plugin && s.version === pin.version),
  );
}

/**
 * `resolved` (what the YAML resolved to here) with each service's version set to the package's
 * pin; `undefined` when the pins name other services or plugins than the YAML resolves to.
 */
export function withPins(
  resolved: PublishedPlugins,
  pins: readonly PinnedPlugin[],
): PublishedPlugins | undefined {
  const byService = new Map(pins.map((pin) => [pin.service, pin]));
  const here = [
    ...resolved.services,
    ...(resolved.external_state === undefined ? [] : [resolved.external_state]),
  ];
  if (here.length !== byService.size) return undefined;
  const pinned = here.map((service) => {
    const pin = byService.get(service.name);
    return pin?.plugin === service.plugin ? { ...service, version: pin.version } : undefined;
  });
  if (pinned.some((service) => service === undefined)) return undefined;
  const services = pinned.slice(0, resolved.services.length) as PublishedPlugins["services"];
  const external = resolved.external_state === undefined ? undefined : pinned[resolved.services.length];
  return external === undefined ? { services } : { services, external_state: external };
}
