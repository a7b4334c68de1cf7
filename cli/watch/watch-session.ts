/**
 * @module
 * One `edgeflow watch` session: directory notifications go through a `FileChangeDebouncer`
 * (a path is reported once it has been quiet for the window, with its net change), and every
 * settled change is posted as a `file_change` event. A single timer wakes at the debouncer's
 * `nextFlushAt()`. Stopping flushes what is still pending and waits for it to be sent.
 */
import { basename, resolve } from "node:path";
import { compileFilePatterns, FileChangeDebouncer } from "../../engine/events/index.ts";
import { DirectoryWatcher } from "./directory-watcher.ts";
import { EventSender, type SendResult } from "./event-sender.ts";

/** Left out unless `--ignore` says otherwise. */
export const DEFAULT_IGNORES = [".git/**", "node_modules/**", ".wrangler/**"];

export interface WatchSessionOptions {
  dir: string;
  url: string;
  key: string;
  /** the event's `source` (default: the directory's name) */
  source?: string;
  windowMs?: number;
  ignore?: readonly string[];
  fetch?: typeof fetch;
  onSent?: (result: SendResult) => void;
  onError?: (error: Error) => void;
}

export class WatchSession {
  readonly #debouncer: FileChangeDebouncer;
  readonly #watcher: DirectoryWatcher;
  readonly #sender: EventSender;
  readonly #onSent: (result: SendResult) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: WatchSessionOptions) {
    const root = resolve(options.dir);
    this.#debouncer = new FileChangeDebouncer(
      options.windowMs === undefined ? {} : { windowMs: options.windowMs },
    );
    const ignored = compileFilePatterns([...(options.ignore ?? DEFAULT_IGNORES)]);
    this.#watcher = new DirectoryWatcher({
      root,
      ignore: (path) => ignored(path),
      onNotification: (notification) => {
        this.#debouncer.add(notification);
        this.#schedule();
      },
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    this.#sender = new EventSender({
      url: options.url,
      key: options.key,
      source: options.source ?? basename(root),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    this.#onSent = options.onSent ?? (() => {});
  }

  start(): Promise<void> {
    return this.#watcher.start();
  }

  /** Stops watching, sends what is still pending, and resolves when all is sent. */
  async stop(): Promise<void> {
    this.#watcher.stop();
    clearTimeout(this.#timer);
    this.#send(this.#debouncer.flushAll());
    await this.#sender.drain();
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    const at = this.#debouncer.nextFlushAt();
    if (at === undefined) return;
    this.#timer = setTimeout(
      () => {
        this.#send(this.#debouncer.flush(Date.now()));
        this.#schedule();
      },
      Math.max(0, at - Date.now()),
    );
  }

  #send(changes: ReturnType<FileChangeDebouncer["flush"]>): void {
    if (changes.length === 0) return;
    void this.#sender.send(changes).then((results) => {
      for (const result of results) this.#onSent(result);
    });
  }
}
