/**
 * @module
 * A real `redis-server` (Debian's package) on a free port of 127.0.0.1 for plugin tests: no
 * persistence, a password for the default user and one ACL user. Started by the worker project's
 * global setup and stopped by its own PID. `.ci/run` installs redis-server when it is missing.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { connect, createServer } from "node:net";

export interface RedisTarget {
  port: number;
  password: string;
  user: string;
  userPassword: string;
  process: ChildProcess;
}

export async function startRedisTarget(): Promise<RedisTarget> {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("redis-server is not installed: apt-get install -y redis-server (.ci/run does it)");
  }
  const port = await freePort();
  const password = "test-redis-default-password";
  const user = "edgeflow";
  const userPassword = "test-redis-user-password";
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--requirepass",
      password,
      "--user",
      user,
      "on",
      `>${userPassword}`,
      "~*",
      "&*",
      "+@all",
    ],
    { stdio: "ignore" },
  );
  await waitForPort(port);
  return { port, password, user, userPassword, process: child };
}

export async function stopRedisTarget(target: RedisTarget): Promise<void> {
  const child = target.process;
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid, "SIGTERM");
  await exited;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not open port ${port}`);
}
