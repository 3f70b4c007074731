import { spawn } from 'node:child_process';

export interface ServedIncident {
  url: string;
  /** Milliseconds from spawn to the printed URL. */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * Starts the built `sluice serve` on a free port and resolves with the URL it prints (token included). Used by
 * the end-to-end fixtures and the workbench bench.
 */
export async function serveIncident(cli: string, args: readonly string[], cwd: string, timeoutMs = 30_000): Promise<ServedIncident> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'serve', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sluice serve printed no URL in ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`sluice serve exited (${code}):\n${output}`)));
  });
  return {
    url,
    startMs: performance.now() - started,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
