export interface Command {
  name: string;
  /** One line for `sluice --help`. */
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(argv: readonly string[]): Promise<number>;
}
