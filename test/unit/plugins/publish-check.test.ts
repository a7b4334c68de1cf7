/**
 * The plugin checks of publish on whole files: each refusal located at the field it is about, what
 * resolves stored as `ResolvedService` entries, two majors of one plugin side by side, and which
 * params and config fields are checked before their templates run.
 */
import { describe, expect, it } from "vitest";
import { checkPluginUses, loadWorkflow } from "../../../engine/loader/index.ts";
import type { ResolvedService } from "../../../engine/plugins/descriptor.ts";
import { checkPlugins, undefinedServiceNames } from "../../../engine/plugins/publish-check.ts";
import { TEST_CATALOG, withNewerDemo } from "../../support/test-plugin-catalog.ts";

const HEAD = `name: "plug:check"\ndescription: "x"\nversion: "1.0.0"\n`;

function check(body: string, tenantServices: ResolvedService[] = [], catalog = TEST_CATALOG) {
  const yaml = HEAD + body;
  const loaded = loadWorkflow(yaml);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return checkPluginUses(loaded.definition, yaml, {
    catalog,
    tenantServices: new Map(tenantServices.map((service) => [service.name, service])),
  });
}

const located = (body: string, tenantServices: ResolvedService[] = []) =>
  check(body, tenantServices).problems.map((p) => `${p.line}:${p.column} ${p.code} ${p.path}`);

describe("publish-time plugin checks", () => {
  it("resolves a services block, inline services and external_state, and stores the exact versions", () => {
    const { problems, resolved } = check(
      [
        "services:",
        "  api:",
        '    uses: "demo@^1"',
        '    config: {base_url: "https://api.example.com", token: "Bearer {{ env.API_TOKEN }}"}',
        "external_state:",
        "  backend: kv",
        '  config: {url: "{{ env.KV_URL }}"}',
        "steps:",
        '  - {id: a, type: external_call, service: api, method: echo, params: {text: "{{ this.x }}", count: 2}}',
        '  - {id: b, type: external_call, service: fetcher, uses: "http@^1", method: get}',
        "",
      ].join("\n"),
    );
    expect(problems).toEqual([]);
    expect(resolved).toEqual({
      services: [
        {
          name: "api",
          plugin: "demo",
          version: "1.4.2",
          config: { base_url: "https://api.example.com", token: "Bearer {{ env.API_TOKEN }}" },
        },
        { name: "fetcher", plugin: "http", version: "1.0.0", config: {} },
      ],
      external_state: {
        name: "external_state",
        plugin: "kv",
        version: "1.0.0",
        config: { url: "{{ env.KV_URL }}" },
      },
    });
  });

  it("locates an unknown plugin, an unsatisfiable range and a malformed uses", () => {
    expect(
      located(
        [
          "services:",
          '  a: {uses: "nope@^1"}',
          '  b: {uses: "demo@^7", config: {base_url: "https://x.example"}}',
          '  c: {uses: "demo"}',
          "steps:",
          "  - {id: m, type: user_message, message: hi}",
          "",
        ].join("\n"),
      ),
    ).toEqual([
      "5:14 plugin.unknown services.a.uses",
      "6:14 plugin.no_matching_version services.b.uses",
      "7:14 plugin.invalid_uses services.c.uses",
    ]);
  });

  it("locates a method the plugin lacks, a wrong role, an unknown service and bad static params", () => {
    expect(
      located(
        [
          "services:",
          '  api: {uses: "demo@^1", config: {base_url: "https://x.example"}}',
          '  talk: {uses: "chat@^1", config: {webhook_url: "{{ env.HOOK }}"}}',
          "steps:",
          "  - {id: a, type: external_call, service: api, method: shout}",
          "  - {id: b, type: external_call, service: talk, method: send}",
          "  - {id: c, type: notify, channel: api, message: hi}",
          "  - {id: d, type: external_call, service: ghost, method: x}",
          '  - {id: e, type: external_call, service: api, method: echo, params: {text: 5, extra: "{{ this.y }}"}}',
          "",
        ].join("\n"),
      ),
    ).toEqual([
      "8:56 plugin.unknown_method steps[0].method",
      "9:43 plugin.wrong_role steps[1].service",
      "10:36 plugin.wrong_role steps[2].channel",
      "11:43 service.unknown steps[3].service",
      "12:77 plugin.invalid_params steps[4].params.text",
      "12:88 plugin.invalid_params steps[4].params.extra",
    ]);
  });

  it("checks static params only: a templated field is skipped, a missing field is not", () => {
    const body = (params: string) =>
      [
        "services:",
        '  api: {uses: "demo@^1", config: {base_url: "https://x.example"}}',
        "steps:",
        `  - {id: a, type: external_call, service: api, method: echo, params: ${params}}`,
        "",
      ].join("\n");
    const codes = (params: string) => check(body(params)).problems.map((p) => `${p.code} ${p.path}`);
    expect(codes('{text: "{{ this.t }}", count: "{{ this.n }}"}')).toEqual([]);
    expect(codes('{text: "hi", count: 1.5}')).toEqual(["plugin.invalid_params steps[0].params.count"]);
    expect(codes('{count: "{{ this.n }}"}')).toEqual(["plugin.invalid_params steps[0].params.text"]);
  });

  it("takes {{ env.NAME }} only in the plugin's secret fields, and checks static config", () => {
    expect(
      located(
        [
          "services:",
          "  api:",
          '    uses: "demo@^1"',
          '    config: {base_url: "{{ env.BASE }}", token: "{{ env.T.trim() }}", retries: "{{ this.n }}"}',
          "  bad:",
          '    uses: "demo@^1"',
          "    config: {base_url: not-a-url, retries: -1}",
          "steps:",
          "  - {id: m, type: user_message, message: hi}",
          "",
        ].join("\n"),
      ),
    ).toEqual([
      "7:25 expression.env_not_allowed services.api.config.base_url",
      "7:50 secret.invalid_reference services.api.config.token",
      "7:81 service.invalid_config services.api.config.retries",
      "10:24 service.invalid_config services.bad.config.base_url",
      "10:44 service.invalid_config services.bad.config.retries",
    ]);
  });

  it("takes the platform's circuit settings beside the plugin's config and checks them", () => {
    expect(
      located(
        [
          "services:",
          "  api:",
          '    uses: "demo@^1"',
          '    config: {base_url: "https://api.example.com", circuit: {failure_threshold: 3, cool_down_seconds: 60}}',
          "  bad:",
          '    uses: "demo@^1"',
          '    config: {base_url: "https://api.example.com", circuit: {failure_threshold: 0, open: yes}}',
          "steps:",
          "  - {id: m, type: user_message, message: hi}",
          "",
        ].join("\n"),
      ),
    ).toEqual([
      "10:80 service.invalid_config services.bad.config.circuit.failure_threshold",
      "10:89 service.invalid_config services.bad.config.circuit.open",
    ]);
  });

  it("uses a tenant service for a name the file does not define; the file's block wins", () => {
    const tenant: ResolvedService = {
      name: "api",
      plugin: "demo",
      version: "2.0.0",
      config: { endpoint: "https://t.example" },
    };
    const viaTenant = check(
      "steps:\n  - {id: a, type: external_call, service: api, method: shout, params: {text: hi}}\n",
      [tenant],
    );
    expect(viaTenant.problems).toEqual([]);
    expect(viaTenant.resolved.services).toEqual([]);
    const own = check(
      'services:\n  api: {uses: "demo@^1", config: {base_url: "https://x.example"}}\nsteps:\n  - {id: a, type: external_call, service: api, method: shout}\n',
      [tenant],
    );
    expect(own.problems.map((p) => p.code)).toEqual(["plugin.unknown_method"]);
    const names = loadWorkflow(
      `${HEAD}steps:\n  - {id: a, type: external_call, service: api, method: x}\n  - {id: b, type: notify, channel: c, uses: "chat@^1", message: m}\n`,
    );
    expect(names.ok && undefinedServiceNames(names.definition)).toEqual(["api"]);
  });

  it("refuses a step range the named service does not satisfy, and two inline services that disagree", () => {
    expect(
      located(
        [
          "services:",
          '  api: {uses: "demo@^1", config: {base_url: "https://x.example"}}',
          "steps:",
          '  - {id: a, type: external_call, service: api, uses: "demo@^2", method: echo, params: {text: t}}',
          '  - {id: b, type: external_call, service: s, uses: "demo@^2", method: shout, params: {text: t}}',
          '  - {id: c, type: external_call, service: s, uses: "http@^1", method: get}',
          "",
        ].join("\n"),
      ),
    ).toEqual([
      "7:55 service.conflict steps[0].uses",
      "8:53 service.invalid_config steps[1].uses",
      "9:53 service.conflict steps[2].uses",
    ]);
  });

  it("resolves external_state to a state plugin of its backend", () => {
    const codes = (block: string) =>
      check(`external_state:\n${block}steps:\n  - {id: m, type: user_message, message: hi}\n`).problems.map(
        (p) => `${p.code} ${p.path}`,
      );
    expect(codes("  backend: redis\n")).toEqual([]);
    expect(codes("  backend: r2\n")).toEqual(["plugin.unknown external_state.backend"]);
    expect(codes('  backend: kv\n  uses: "redis@^1"\n')).toEqual(["service.conflict external_state.uses"]);
    expect(codes("  backend: chat\n")).toEqual(["plugin.wrong_role external_state.backend"]);
    expect(codes('  backend: kv\n  config: {url: "{{ env.U }}", prefix: "{{ env.P }}"}\n')).toEqual([
      "expression.env_not_allowed external_state.config.prefix",
    ]);
  });
});

describe("run notifications", () => {
  it("checks on_complete/on_failure channels as notify services (on plain data, before the dialect has them)", () => {
    const definition = {
      steps: [{ id: "m", type: "user_message", message: "hi" }],
      services: { api: { uses: "demo@^1", config: { base_url: "https://x.example" } } },
      on_complete: { channel: "api", message: "done" },
      on_failure: { channel: "hook", uses: "chat@^1", message: "failed" },
    };
    const { problems, resolved } = checkPlugins(definition, {
      catalog: TEST_CATALOG,
      tenantServices: new Map(),
    });
    expect(problems.map((p) => `${p.code} ${p.path.join(".")}`)).toEqual([
      "plugin.wrong_role on_complete.channel",
    ]);
    expect(resolved.services.map((s) => `${s.name}=${s.plugin}@${s.version}`)).toEqual([
      "api=demo@1.4.2",
      "hook=chat@1.2.0",
    ]);
    expect(undefinedServiceNames({ steps: [], on_failure: { channel: "pager", message: "m" } })).toEqual([
      "pager",
    ]);
  });
});

describe("a plugin with open method names", () => {
  it('accepts any method through its "*" entry and checks params against it', () => {
    const body = (params: string) =>
      `services:\n  api: {uses: "http@^1"}\nsteps:\n  - {id: a, type: external_call, service: api, method: deploy, params: ${params}}\n`;
    expect(check(body("{version: 1}")).problems).toEqual([]);
    const closed = check(
      'services:\n  api: {uses: "demo@^1", config: {base_url: "https://x.example"}}\nsteps:\n  - {id: a, type: external_call, service: api, method: deploy}\n',
    );
    expect(closed.problems.map((p) => p.code)).toEqual(["plugin.unknown_method"]);
  });
});

describe("two majors side by side", () => {
  it("resolves demo@^1 and demo@^2 in one workflow to different versions", () => {
    const { problems, resolved } = check(
      [
        "services:",
        '  old: {uses: "demo@^1", config: {base_url: "https://old.example"}}',
        '  new: {uses: "demo@^2", config: {endpoint: "https://new.example", auth: {key: "{{ env.KEY }}"}}}',
        "steps:",
        "  - {id: a, type: external_call, service: old, method: echo, params: {text: t, count: 1}}",
        "  - {id: b, type: external_call, service: new, method: shout, params: {text: t}}",
        "",
      ].join("\n"),
    );
    expect(problems).toEqual([]);
    expect(resolved.services.map((s) => `${s.name}=${s.plugin}@${s.version}`)).toEqual([
      "old=demo@1.4.2",
      "new=demo@2.0.0",
    ]);
  });

  it("a newer release changes what a new publish resolves to", () => {
    const body =
      'services:\n  api: {uses: "demo@^1", config: {base_url: "https://x.example"}}\nsteps:\n  - {id: m, type: user_message, message: hi}\n';
    expect(check(body).resolved.services[0]?.version).toBe("1.4.2");
    expect(check(body, [], withNewerDemo("1.9.0")).resolved.services[0]?.version).toBe("1.9.0");
  });
});
