/**
 * @module
 * `edgeflow watch`: argument parsing, and a real session on a temporary directory posting to a
 * local HTTP server that stands in for edgeflow: created, modified and deleted files arrive as
 * debounced file_change events with paths relative to the directory; a temporary file that comes
 * and goes sends nothing; a 5xx is retried with the same event id; the CLI process itself posts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseWatchArguments } from "../../../cli/commands/watch.ts";
import { WatchSession } from "../../../cli/watch/watch-session.ts";

interface Received {
  authorization: string | undefined;
  body: { id: string; type: string; source: string; payload: { path: string; change: string } };
}

interface Posted {
  events: Received["body"][];
}

let dir: string;
let server: Server;
let url: string;
let received: Received[];
let failNext: number;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "edgeflow-watch-"));
  received = [];
  failNext = 0;
  server = createServer(async (req: IncomingMessage, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    if (failNext > 0) {
      failNext -= 1;
      res.writeHead(503).end("busy");
      return;
    }
    const { events } = JSON.parse(text) as Posted;
    for (const body of events) received.push({ authorization: req.headers.authorization, body });
    res.writeHead(202, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        events: events.map((body) => ({ event_id: body.id, runs: ["wf_000000000000000000000001"] })),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(received)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function changes(): string[] {
  return received.map((item) => `${item.body.payload.change} ${item.body.payload.path}`).sort();
}

describe("parseWatchArguments", () => {
  it("reads options and the environment", () => {
    expect(
      parseWatchArguments(["src", "--url", "http://h:1/mcp", "--key=k", "--debounce", "50"], {}),
    ).toEqual({
      dir: "src",
      url: "http://h:1",
      key: "k",
      windowMs: 50,
      ignore: [".git/**", "node_modules/**", ".wrangler/**"],
    });
    expect(parseWatchArguments(["."], { EDGEFLOW_URL: "https://x.dev/", EDGEFLOW_KEY: "efk" })).toMatchObject(
      {
        url: "https://x.dev",
        key: "efk",
      },
    );
  });

  it.each([
    [[], "give exactly one directory"],
    [["a", "b"], "give exactly one directory"],
    [["a", "--key", "k"], "--url"],
    [["a", "--url", "ftp://x", "--key", "k"], "--url"],
    [["a", "--url", "http://x"], "--key"],
    [["a", "--url", "http://x", "--key", "k", "--debounce", "-1"], "--debounce"],
    [["a", "--nope"], "unknown option --nope"],
    [["a", "--key"], "--key needs a value"],
  ])("%j is a usage error", (args, message) => {
    expect(parseWatchArguments(args, {})).toContain(message);
  });
});

describe("a watch session", () => {
  it("posts created, modified and deleted files once each, relative to the directory", async () => {
    writeFileSync(join(dir, "kept.ts"), "1");
    writeFileSync(join(dir, "gone.ts"), "1");
    mkdirSync(join(dir, ".git"));
    const session = new WatchSession({ dir, url, key: "efk_test", source: "repo", windowMs: 80 });
    await session.start();
    mkdirSync(join(dir, "src", "lib"), { recursive: true });
    writeFileSync(join(dir, "src", "lib", "new.ts"), "x");
    writeFileSync(join(dir, "kept.ts"), "2");
    writeFileSync(join(dir, "kept.ts"), "3");
    unlinkSync(join(dir, "gone.ts"));
    writeFileSync(join(dir, "tmp.swp"), "x");
    unlinkSync(join(dir, "tmp.swp"));
    writeFileSync(join(dir, ".git", "HEAD"), "ref");
    await until(() => received.length >= 3, "three events");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await session.stop();
    expect(changes()).toEqual(["created src/lib/new.ts", "deleted gone.ts", "modified kept.ts"]);
    for (const item of received) {
      expect(item.authorization).toBe("Bearer efk_test");
      expect(item.body).toMatchObject({
        type: "file_change",
        source: "repo",
        id: expect.stringMatching(/^watch:/),
      });
    }
  });

  it("retries a 5xx with the same event id", async () => {
    failNext = 1;
    const results: unknown[] = [];
    const session = new WatchSession({
      dir,
      url,
      key: "k",
      windowMs: 20,
      onSent: (result) => results.push(result),
    });
    await session.start();
    writeFileSync(join(dir, "a.ts"), "x");
    await until(() => received.length === 1, "the retried event");
    await session.stop();
    expect(results).toEqual([expect.objectContaining({ ok: true, runs: ["wf_000000000000000000000001"] })]);
  });

  it("the CLI posts changes and prints the runs they started", async () => {
    const cli = fileURLToPath(new URL("../../../cli/edgeflow.ts", import.meta.url));
    const child: ChildProcess = spawn(
      process.execPath,
      ["--experimental-strip-types", "--no-warnings", cli, "watch", dir, "--url", url, "--debounce", "50"],
      { env: { ...process.env, EDGEFLOW_KEY: "efk_cli" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      await until(() => out.includes("watching"), "the CLI to start");
      writeFileSync(join(dir, "from-cli.ts"), "x");
      await until(() => out.includes("created from-cli.ts → 1 run"), "the CLI to report");
      expect(received[0]?.authorization).toBe("Bearer efk_cli");
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    }
  });
});
