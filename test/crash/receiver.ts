/**
 * The crash test's outside world: an HTTP service on 127.0.0.1 that applies an effect once per
 * `Idempotency-Key`, as a payment or ticket API would. It counts every request per key and every
 * effect applied, so the test can show that a step retried after the crash had its effect once.
 */
import { createServer, type Server } from "node:http";

export interface Receiver {
  readonly url: string;
  /** requests per key, duplicates included */
  readonly requests: Map<string, number>;
  /** effects applied per key (the receiver dedups, so each is 1 unless it is broken) */
  readonly applied: Map<string, number>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests = new Map<string, number>();
  const applied = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const key = req.headers["idempotency-key"];
    req.resume();
    req.on("end", () => {
      if (req.method !== "POST" || typeof key !== "string" || key === "") {
        res
          .writeHead(400, { "content-type": "application/json" })
          .end('{"error":"idempotency-key required"}');
        return;
      }
      requests.set(key, (requests.get(key) ?? 0) + 1);
      const first = !applied.has(key);
      if (first) applied.set(key, 1);
      res.writeHead(first ? 201 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify({ key, applied: first }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/effect`,
    requests,
    applied,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
