/**
 * @module
 * What a command may touch besides its arguments: two line writers. Commands return their exit code.
 */

export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}
