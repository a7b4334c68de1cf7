/**
 * @module
 * What the graph-run benchmark needs around `wrangler dev`: the workerd processes started under
 * this one and their resident set size (from /proc, Linux), a tenant, and one MCP `tools/call`
 * over stateless Streamable HTTP, shared with bench/mcp.ts.
 */
import { readdirSync, readFileSync } from "node:fs";

export type Mcp = (name: string, args: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** workerd processes descended from this one (wrangler's child). */
export function workerdPids(): number[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      names.set(Number(entry), stat.slice(stat.indexOf("(") + 1, close));
      parents.set(Number(entry), Number(stat.slice(close + 2).split(" ")[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const descends = (pid: number): boolean => {
    for (let at = parents.get(pid); at !== undefined && at > 1; at = parents.get(at)) {
      if (at === process.pid) return true;
    }
    return false;
  };
  return [...names].filter(([pid, name]) => name.startsWith("workerd") && descends(pid)).map(([pid]) => pid);
}

export function rssMb(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      kib += Number(match?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kib / 1024;
}

export async function createTenant(baseUrl: string, adminToken: string): Promise<string> {
  const res = await fetch(`${baseUrl}/admin/tenants`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id: "bench-graph" }),
  });
  if (res.status !== 201) throw new Error(`creating the tenant answered ${res.status}`);
  return ((await res.json()) as { apiKey: string }).apiKey;
}

/** One JSON-RPC `tools/call` over stateless Streamable HTTP; returns `structuredContent`. */
export function mcpCaller(baseUrl: string, apiKey: string): Mcp {
  let id = 0;
  return async (name, args) => {
    const res = await fetch(`${baseUrl}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: ++id,
        method: "tools/call",
        params: { name, arguments: args },
      }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${name}: HTTP ${res.status} ${text.slice(0, 200)}`);
    const json = res.headers.get("content-type")?.includes("text/event-stream")
      ? text
          .split("\n")
          .filter((line) => line.startsWith("data: "))
          .map((line) => line.slice(6))
          .join("")
      : text;
    const message = JSON.parse(json) as {
      result?: { isError?: boolean; structuredContent?: Record<string, unknown> };
    };
    if (!message.result || message.result.isError) throw new Error(`${name}: ${json.slice(0, 300)}`);
    return message.result.structuredContent ?? {};
  };
}
