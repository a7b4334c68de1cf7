/**
 * @module
 * The first-party plugins, every version the platform holds (two majors of one plugin may sit
 * side by side: http 1.x and 2.x), and the catalog the loader resolves `uses:` against.
 */
import type { PluginCatalog } from "../engine/plugins/descriptor.ts";
import type { Plugin } from "./contract.ts";
import { emailPlugin } from "./email/plugin.ts";
import { httpPluginV1 } from "./http/plugin.ts";
import { httpPluginV2 } from "./http/plugin-v2.ts";
import { kvPlugin } from "./kv/plugin.ts";
import { r2Plugin } from "./r2/plugin.ts";
import { redisPlugin } from "./redis/plugin.ts";
import { slackPlugin } from "./slack/plugin.ts";
import { webhookPlugin } from "./webhook/plugin.ts";

export const FIRST_PARTY_PLUGINS: readonly Plugin[] = [
  httpPluginV1,
  httpPluginV2,
  kvPlugin,
  r2Plugin,
  redisPlugin,
  webhookPlugin,
  slackPlugin,
  emailPlugin,
];

export const pluginCatalog: PluginCatalog = { plugins: FIRST_PARTY_PLUGINS };
