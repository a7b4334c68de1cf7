/**
 * @module
 * Posts `file_change` events to edgeflow's `POST /events` with a tenant key, in order: the
 * changes settled together go in one request (`{events: [...]}`, up to 100). Each event carries
 * its own id (`watch:<uuid>`), so a retry after a network failure or a 5xx is recognised by the
 * server and never starts a run twice. 4xx answers are not retried.
 */
import { randomUUID } from "node:crypto";
import type { FileChangePayload } from "../../engine/events/index.ts";

/** The most events `POST /events` takes in one request. */
const MAX_PER_REQUEST = 100;

export interface EventSenderOptions {
  /** `http(s)://host[:port]`; `/events` is appended */
  url: string;
  key: string;
  source: string;
  fetch?: typeof fetch;
  /** attempts per event, default 5 */
  attempts?: number;
  /** delay before the first retry, doubled each time; default 250 ms */
  backoffMs?: number;
}

export type SendResult =
  | { ok: true; change: FileChangePayload; eventId: string; runs: string[] }
  | { ok: false; change: FileChangePayload; error: string };

export class EventSender {
  readonly #options: EventSenderOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: EventSenderOptions) {
    this.#options = options;
  }

  /** Queues changes; resolves once they (and everything queued before) are sent or given up. */
  send(changes: readonly FileChangePayload[]): Promise<SendResult[]> {
    const chunks: FileChangePayload[][] = [];
    for (let i = 0; i < changes.length; i += MAX_PER_REQUEST)
      chunks.push(changes.slice(i, i + MAX_PER_REQUEST));
    const sent = this.#queue.then(async () => {
      const results: SendResult[] = [];
      for (const chunk of chunks) results.push(...(await this.#post(chunk)));
      return results;
    });
    this.#queue = sent;
    return sent;
  }

  /** Resolves when everything queued so far is done. */
  async drain(): Promise<void> {
    await this.#queue;
  }

  async #post(changes: readonly FileChangePayload[]): Promise<SendResult[]> {
    const doFetch = this.#options.fetch ?? fetch;
    const events = changes.map((change) => ({
      id: `watch:${randomUUID()}`,
      type: "file_change",
      source: this.#options.source,
      payload: change,
    }));
    const body = JSON.stringify({ events });
    const attempts = this.#options.attempts ?? 5;
    let delay = this.#options.backoffMs ?? 250;
    let lastError = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await doFetch(`${this.#options.url}/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${this.#options.key}`, "content-type": "application/json" },
          body,
        });
        const text = await res.text();
        if (res.status === 202) {
          const answers = (JSON.parse(text) as { events: { event_id: string; runs: string[] }[] }).events;
          return changes.map((change, index) => ({
            ok: true as const,
            change,
            eventId: answers[index]?.event_id ?? "",
            runs: answers[index]?.runs ?? [],
          }));
        }
        lastError = `HTTP ${res.status} ${text.slice(0, 300)}`;
        if (res.status < 500) break;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (attempt < attempts) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
      }
    }
    return changes.map((change) => ({ ok: false as const, change, error: lastError }));
  }
}

/** `http://host:8787/`, `.../mcp` or `.../events` → `http://host:8787`. */
export function baseUrlOf(url: string): string {
  return url.replace(/\/+$/, "").replace(/\/(mcp|events)$/, "");
}
