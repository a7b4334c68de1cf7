/**
 * A local HTTP proxy that adds `Authorization: Bearer <key>` to every request and forwards it,
 * otherwise unchanged (method, path, body, and the `Host` and `Origin` headers), to an upstream
 * such as `wrangler dev`. For clients that cannot send a header of their own: the MCP
 * conformance suite's server runner builds its client from a URL alone. Test-only.
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface BearerProxy {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  close: () => Promise<void>;
}

export async function startBearerProxy(upstream: string, apiKey: string): Promise<BearerProxy> {
  const target = new URL(upstream);
  const server = createServer((incoming, outgoing) => {
    const forwarded = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, authorization: `Bearer ${apiKey}` },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
