/**
 * @module
 * A local HTTP target for plugin tests (Node, 127.0.0.1, a free port). Routes:
 * - `* /echo/...`: 200 JSON `{method, path, query, headers, body}` (body as the raw text);
 * - `* /status/<code>?retry_after=<value>`: that status, with `Retry-After` when given;
 * - `GET /text`: 200 text/plain; `* /empty`: 204;
 * - `POST /record/<box>`: 200, remembers `{headers, body}` in box `<box>`;
 * - `POST /slack/<box>`: a stand-in for a Slack incoming webhook: `ok`, or 400 `invalid_payload`
 *   when the body is not JSON with a non-empty `text` (and `blocks`, when present, an array);
 *   remembers accepted payloads in box `<box>`;
 * - `GET /deliveries/<box>`: the box's entries, oldest first.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function startHttpTarget(): Promise<{ port: number; server: Server }> {
  const boxes = new Map<string, Delivery[]>();
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => route(request, body, response, boxes))
      .catch(() => {
        response.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the HTTP target has no port");
  return { port: address.port, server };
}

function route(
  request: IncomingMessage,
  body: string,
  response: ServerResponse,
  boxes: Map<string, Delivery[]>,
): void {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const [, first = "", second = ""] = url.pathname.split("/");
  const json = (status: number, value: unknown) => {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
  };
  const remember = (box: string) => {
    boxes.set(box, [...(boxes.get(box) ?? []), { headers: request.headers, body }]);
  };
  switch (first) {
    case "echo":
      json(200, {
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        body,
      });
      return;
    case "status": {
      const retryAfter = url.searchParams.get("retry_after");
      response.writeHead(Number(second), {
        "content-type": "application/json",
        ...(retryAfter === null ? {} : { "retry-after": retryAfter }),
      });
      response.end(JSON.stringify({ error: `status ${second}` }));
      return;
    }
    case "text":
      response.writeHead(200, { "content-type": "text/plain" }).end("plain text");
      return;
    case "empty":
      response.writeHead(204).end();
      return;
    case "record":
      remember(second);
      json(200, { received: true });
      return;
    case "slack":
      if (!isSlackPayload(body)) {
        response.writeHead(400, { "content-type": "text/plain" }).end("invalid_payload");
        return;
      }
      remember(second);
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    case "deliveries":
      json(200, boxes.get(second) ?? []);
      return;
    default:
      response.writeHead(404).end();
  }
}

function isSlackPayload(body: string): boolean {
  try {
    const payload: unknown = JSON.parse(body);
    if (typeof payload !== "object" || payload === null) return false;
    const text: unknown = Reflect.get(payload, "text");
    const blocks: unknown = Reflect.get(payload, "blocks");
    return typeof text === "string" && text !== "" && (blocks === undefined || Array.isArray(blocks));
  } catch {
    return false;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
