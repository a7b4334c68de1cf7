/**
 * @module
 * File-system notifications for `edgeflow watch`: `fs.watch` on the directory, recursive (Node
 * 22 supports it on Linux, macOS and Windows), turned into `created` / `modified` / `deleted`
 * notifications on paths relative to the watched root with `/` separators. `fs.watch` only says
 * "rename" or "change", so the watcher keeps the set of files it knows (from a scan at start)
 * and looks at the path: there now and known → modified, there and new → created, gone and
 * known → deleted (every known file below a directory that went away, too). Directories that
 * appear are scanned, since files moved in with them send no notification of their own.
 */
import { type FSWatcher, watch } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { FileNotification } from "../../engine/events/index.ts";

export interface DirectoryWatcherOptions {
  root: string;
  onNotification: (notification: FileNotification) => void;
  /** paths (relative, `/` separators) to leave out */
  ignore: (path: string) => boolean;
  onError?: (error: Error) => void;
  now?: () => number;
}

export class DirectoryWatcher {
  readonly #options: DirectoryWatcherOptions;
  readonly #known = new Set<string>();
  #watcher: FSWatcher | undefined;

  constructor(options: DirectoryWatcherOptions) {
    this.#options = options;
  }

  /** Scans the tree, then starts watching. */
  async start(): Promise<void> {
    for (const path of await this.#scan(this.#options.root)) this.#known.add(path);
    this.#watcher = watch(this.#options.root, { recursive: true }, (_type, filename) => {
      if (filename === null) return;
      void this.#inspect(toPosix(filename.toString())).catch((error: unknown) =>
        this.#options.onError?.(error as Error),
      );
    });
    this.#watcher.on("error", (error) => this.#options.onError?.(error));
  }

  stop(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  /** Files known to exist, relative paths (for tests). */
  get known(): ReadonlySet<string> {
    return this.#known;
  }

  async #inspect(path: string): Promise<void> {
    if (path === "" || this.#options.ignore(path)) return;
    const absolute = join(this.#options.root, path);
    const stats = await lstat(absolute).catch(() => undefined);
    if (stats?.isDirectory()) {
      for (const file of await this.#scan(absolute)) this.#saw(file);
      return;
    }
    if (stats?.isFile() || stats?.isSymbolicLink()) {
      this.#saw(path);
      return;
    }
    if (stats !== undefined) return;
    if (this.#known.delete(path)) {
      this.#emit(path, "deleted");
      return;
    }
    const prefix = `${path}/`;
    for (const known of [...this.#known]) {
      if (!known.startsWith(prefix)) continue;
      this.#known.delete(known);
      this.#emit(known, "deleted");
    }
  }

  #saw(path: string): void {
    const change = this.#known.has(path) ? "modified" : "created";
    this.#known.add(path);
    this.#emit(path, change);
  }

  #emit(path: string, change: FileNotification["change"]): void {
    this.#options.onNotification({ path, change, at: (this.#options.now ?? Date.now)() });
  }

  /** Every file below `directory`, as paths relative to the root, minus ignored ones. */
  async #scan(directory: string): Promise<string[]> {
    const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
    const files: string[] = [];
    for (const entry of entries) {
      if (entry.isDirectory()) continue;
      const path = toPosix(relative(this.#options.root, join(entry.parentPath, entry.name)));
      if (!this.#options.ignore(path)) files.push(path);
    }
    return files;
  }
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
