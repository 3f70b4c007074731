import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Runs a command to completion, measuring wall time, CPU time and the peak resident set size of the process. */
export interface Measured {
  exitCode: number;
  wallMs: number;
  /** User plus system CPU seconds of the process and its threads; null without /usr/bin/time. */
  cpuSeconds: number | null;
  /** Peak RSS in bytes; null when neither /usr/bin/time nor /proc gave a value. */
  peakRssBytes: number | null;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

export async function measure(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Measured> {
  // GNU time reports the child's max RSS and CPU times from wait4(); without it, poll VmHWM (the kernel's
  // high-water mark) and go without CPU time.
  const useGnuTime = existsSync(GNU_TIME);
  const argv = useGnuTime ? ['-f', 'SLUICE_BENCH_TIME=%M %U %S', command, ...args] : args;
  const started = process.hrtime.bigint();
  const child = spawn(useGnuTime ? GNU_TIME : command, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let polledKb = 0;
  const poll = setInterval(() => {
    if (useGnuTime || child.pid === undefined) return;
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match !== null) polledKb = Math.max(polledKb, Number(match[1]));
    } catch {
      // The process has exited between two polls.
    }
  }, 25);
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  clearInterval(poll);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let peakRssBytes: number | null = polledKb > 0 ? polledKb * 1024 : null;
  let cpuSeconds: number | null = null;
  if (useGnuTime) {
    const match = /SLUICE_BENCH_TIME=(\d+) ([\d.]+) ([\d.]+)\n?/.exec(stderr);
    if (match !== null) {
      peakRssBytes = Number(match[1]) * 1024;
      cpuSeconds = Number(match[2]) + Number(match[3]);
      stderr = stderr.replace(match[0], '');
    }
  }
  return { exitCode, wallMs, cpuSeconds, peakRssBytes, stdout, stderr };
}

export async function commandExists(command: string): Promise<boolean> {
  const result = await new Promise<number>((resolve) => {
    const child = spawn('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    child.on('close', (code) => resolve(code ?? 1));
  });
  return result === 0;
}
