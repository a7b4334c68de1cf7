/**
 * @module
 * Posts `file_change` events to edgeflow's `POST /events` with a tenant key, one at a time and in
 * order. Each event carries its own id (`watch:<uuid>`), so a retry after a network failure or a
 * 5xx is recognised by the server and never starts a run twice. 4xx answers are not retried.
 */
import { randomUUID } from "node:crypto";
import type { FileChangePayload } from "../../engine/events/index.ts";

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

  /** Queues one change; resolves once it (and everything queued before it) is sent or given up. */
  send(change: FileChangePayload): Promise<SendResult> {
    const sent = this.#queue.then(() => this.#post(change));
    this.#queue = sent;
    return sent;
  }

  /** Resolves when everything queued so far is done. */
  async drain(): Promise<void> {
    await this.#queue;
  }

  async #post(change: FileChangePayload): Promise<SendResult> {
    const doFetch = this.#options.fetch ?? fetch;
    const id = `watch:${randomUUID()}`;
    const body = JSON.stringify({ id, type: "file_change", source: this.#options.source, payload: change });
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
          const answer = JSON.parse(text) as { event_id: string; runs: string[] };
          return { ok: true, change, eventId: answer.event_id, runs: answer.runs };
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
    return { ok: false, change, error: lastError };
  }
}

/** `http://host:8787/`, `.../mcp` or `.../events` → `http://host:8787`. */
export function baseUrlOf(url: string): string {
  return url.replace(/\/+$/, "").replace(/\/(mcp|events)$/, "");
}
