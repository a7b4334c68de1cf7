/**
 * @module
 * `listExpressionSites`: every place the engine evaluates JavaScript, found with its path and
 * form, and nothing the engine keeps as text (test/fixtures/loader/expressions/every-site.yaml).
 */
import { describe, expect, it } from "vitest";
import { formatYamlPath, listExpressionSites, loadWorkflow } from "../../../engine/loader/index.ts";
import { fixtureText } from "./fixture-text.ts";

function sitesOf(name: string): string[] {
  const loaded = loadWorkflow(fixtureText(name));
  if (!loaded.ok) throw new Error(`${name} did not load: ${JSON.stringify(loaded.errors)}`);
  return listExpressionSites(loaded.definition).map(
    (site) => `${formatYamlPath(site.path)} ${site.form} ${site.kind} ${site.text}`,
  );
}

describe("listExpressionSites", () => {
  it("finds every kind of site, with its path", () => {
    expect(sitesOf("loader/expressions/every-site.yaml")).toEqual([
      "state_schema.computed.total.transform expression transform input.length",
      "state_schema.computed.mixed.from[1] template template {{ from_list_entry }}",
      "state_schema.computed.mixed.transform expression transform input",
      "state_schema.computed.templated.from template template {{ from_template }}",
      "state_schema.computed.templated.transform expression transform input",
      "steps[0].when template condition {{ step_when }}",
      "steps[0].message template template Hello {{ message_part }}",
      "steps[0].title template template {{ client_title }}",
      "steps[1].condition template condition {{ conditional_condition }}",
      "steps[1].then_steps[0].state_update.value template template {{ update_value }}",
      "steps[1].then_steps[0].state_updates[1].value.deep template template {{ updates_deep_value }}",
      "steps[1].then_steps[0].tool template template {{ mcp_tool }}",
      "steps[1].then_steps[0].parameters.nested.list[0] template template {{ mcp_deep_parameter }}",
      "steps[1].else_steps[0].command template template echo {{ shell_command }}",
      "steps[2].condition expression condition while_condition < 3",
      "steps[2].body[0].items template template {{ foreach_items }}",
      "steps[2].body[0].body[0].prompt template template {{ user_input_prompt }}",
      "steps[2].body[1].items[0] template template {{ foreach_literal_item }}",
      "steps[3].items template template {{ parallel_items }}",
      "steps[4].context.hint template template {{ agent_context }}",
      "steps[5].message template template {{ wait_message }}",
      "steps[5].until template template {{ wait_until }}",
      "steps[6].graph template template {{ dependencies }}",
      "steps[7].params.q template template {{ external_param }}",
      "steps[8].message template template {{ notify_message }}",
      "sub_agent_tasks.worker.steps[0].message template template {{ sub_agent_message }}",
      "dependencies.long.run[0].message template template {{ dependency_run_message }}",
      "sub_agent_tasks.worker.prompt_template template template {{ sub_agent_prompt }}",
      "sub_agent_tasks.worker.state_schema.computed.done.transform expression transform sub_agent_transform",
      "triggers[0].filter expression filter trigger_filter",
      "triggers[0].inputs_mapping.files template mapping {{ mapping_template }}",
      "triggers[0].inputs_mapping.other expression mapping mapping_expression",
      "dependencies.short.when[0] template condition {{ short_condition }}",
      "dependencies.short.when[1] expression condition short_second",
      "dependencies.long.when[0] expression condition long_when",
      "dependencies.long.for_each template template {{ for_each_items }}",
      "dependencies.listed.when[0] template condition {{ listed_first }}",
      "dependencies.listed.when[1] expression condition listed_second",
    ]);
  });

  it("leaves out what the engine keeps as text", () => {
    // default_state, a server step's description, context_template, a plain update value, a
    // non-template `from` path, `store_result`, an external_call's `service`
    const text = fixtureText("loader/expressions/every-site.yaml");
    expect(text.match(/not_a_site/g)?.length).toBe(5);
    for (const site of sitesOf("loader/expressions/every-site.yaml")) {
      expect(site).not.toMatch(/not_a_site|this\.files|this\.result|this\.total"/);
    }
  });

  it("leaves out the capability fields, which hold {{ env.NAME }} and are never evaluated", () => {
    // external_call.auth, a webhook trigger's secret, external_state.config
    for (const site of sitesOf("loader/expressions/every-site.yaml")) expect(site).not.toMatch(/\benv\./);
  });

  it("finds the templates of the AroMCP workflows, upgraded phase-5 ones included", () => {
    expect(sitesOf("aromcp/test-simple.yaml")).toEqual([
      "state_schema.computed.doubled.transform expression transform input * 2",
      "steps[0].message template template Counter is {{ this.counter }}, doubled is {{ this.doubled }}",
    ]);
    expect(sitesOf("aromcp/phase5-era/test-simple.yaml")).toHaveLength(2);
    expect(sitesOf("aromcp/code-standards-enforce.yaml").length).toBeGreaterThan(40);
  });
});
