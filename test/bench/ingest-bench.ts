import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FileHasher, loadLanes } from '../../src-main/core/ingest/file-hashes.js';
import { commandExists, measure, type Measured } from './process.js';
import type { BenchContext, BenchModule, BenchResult, Figure, Verdict } from './types.js';
import { BenchUnavailable } from './types.js';

/**
 * Ingest throughput, peak memory and incident-file size for the bundle (DESIGN.md "Performance budgets"),
 * compared with lnav indexing the same Flink logs and with a plain `cat > /dev/null` read of the bundle.
 *
 * Sluice and lnav run in alternating rounds (`--rounds`; which of the two goes first swaps each round) and are
 * compared by their median times: on a shared machine the speed of both drifts by a third from one minute to the
 * next, so one run of each compares two machines as much as two programs. Each round also times sha256 on this
 * thread: the ingest hashes every byte it reads, and on a shared host that speed alone has been seen to halve.
 * CPU seconds (user + system, all threads) are printed beside the wall times: they show how much of a difference
 * is work and how much is parallelism.
 */
const RSS_BUDGET_BYTES = 300 * 1024 * 1024;
const INCIDENT_RATIO_BUDGET = 0.5;
const MB = 1024 * 1024;

export const ingestBench: BenchModule = {
  name: 'ingest',
  async run(context: BenchContext): Promise<BenchResult> {
    const { bundle, workDir, repoRoot, rounds } = context;
    const cli = join(repoRoot, 'out/main/cli.js');
    if (!existsSync(cli)) throw new BenchUnavailable(`${cli} is missing: the CLI is not built (npm run build), so ingest cannot be measured`);
    const rawBytes = bundle.totalBytes;
    const flinkLogs = bundle.files.filter((f) => f.kind === 'flink-jm-log' || f.kind === 'flink-tm-log').map((f) => join(bundle.out, f.path));
    const allFiles = bundle.files.map((f) => join(bundle.out, f.path));
    const notes: string[] = [];

    const baseline = await measure('sh', ['-c', 'cat "$@" > /dev/null', 'cat', ...allFiles]);
    mkdirSync(workDir, { recursive: true });
    const incident = join(workDir, 'bench.sluice');
    const lnav = await lnavRunner(flinkLogs, workDir, notes);
    const ingestRuns: Measured[] = [];
    const lnavRuns: Measured[] = [];
    const hashSpeeds: number[] = [];
    const runIngest = async (): Promise<void> => {
      ingestRuns.push(await ingestOnce(cli, bundle.out, incident, repoRoot));
    };
    const runLnav = async (): Promise<void> => {
      const run = await lnav?.();
      if (run !== undefined) lnavRuns.push(run);
    };
    for (let round = 0; round < rounds; round++) {
      hashSpeeds.push(sha256MbPerSecond());
      for (const step of round % 2 === 0 ? [runIngest, runLnav] : [runLnav, runIngest]) await step();
    }
    const summary = parseIngestSummary(ingestRuns.at(-1)!.stdout);
    const lines = summary.lines ?? bundle.flinkLogLines;
    if (summary.lines === null) notes.push('ingest --json gave no per-source line counts; lines/s uses the generator\'s count of Flink log lines');
    const incidentBytes = ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(`${incident}${suffix}`) ? statSync(`${incident}${suffix}`).size : 0), 0);
    const ingestSeconds = ingestRuns.map((r) => r.wallMs / 1000);
    const seconds = median(ingestSeconds);
    const lnavSeconds = lnavRuns.map((r) => r.wallMs / 1000);
    const peakRss = ingestRuns.some((r) => r.peakRssBytes === null) ? null : Math.max(...ingestRuns.map((r) => r.peakRssBytes!));
    const figures: Figure[] = [
      { name: 'raw bundle size', value: rawBytes / MB, unit: 'MB' },
      { name: 'ingest wall time (median)', value: seconds, unit: 's' },
      { name: 'ingest throughput (median)', value: rawBytes / MB / seconds, unit: 'MB/s' },
      { name: 'ingest lines (median)', value: lines / seconds, unit: 'lines/s' },
      { name: 'ingest CPU time (median)', value: medianCpu(ingestRuns), unit: 's' },
      { name: 'ingest peak RSS (highest)', value: (peakRss ?? Number.NaN) / MB, unit: 'MB' },
      { name: 'incident bytes per raw byte', value: incidentBytes / rawBytes, unit: '×' },
      { name: 'cat > /dev/null read baseline', value: rawBytes / MB / (baseline.wallMs / 1000), unit: 'MB/s' },
    ];
    notes.push(`ingest by round: ${ingestRuns.map(roundText).join(', ')}`);
    notes.push(`sha256 on this host by round (Node crypto, 64 MB): ${hashSpeeds.map((v) => `${v.toFixed(0)} MB/s`).join(', ')}; the parse workers' files are hashed with ${new FileHasher(loadLanes()).engine}`);
    if (summary.warnings !== null && summary.warnings > 0) notes.push(`ingest reported ${summary.warnings} parser warnings on the synthetic bundle`);

    const verdicts: Verdict[] = [];
    const flinkLogMb = bundle.flinkLogBytes / MB;
    if (lnavSeconds.length > 0) {
      const lnavMbPerSecond = flinkLogMb / median(lnavSeconds);
      figures.push({ name: 'lnav indexing throughput (Flink logs, median)', value: lnavMbPerSecond, unit: 'MB/s' });
      figures.push({ name: 'lnav CPU time (median)', value: medianCpu(lnavRuns), unit: 's' });
      notes.push(`lnav by round: ${lnavRuns.map(roundText).join(', ')}`);
      const ours = rawBytes / MB / seconds;
      verdicts.push({
        budget: 'throughput ≥ lnav', pass: ours >= lnavMbPerSecond,
        detail: `${ours.toFixed(1)} MB/s vs lnav ${lnavMbPerSecond.toFixed(1)} MB/s, medians of ${rounds} round(s) (lnav read ${flinkLogMb.toFixed(0)} MB of Flink logs)`,
      });
    } else {
      verdicts.push({ budget: 'throughput ≥ lnav', pass: false, detail: 'not measured: lnav is missing or failed (see the notes)' });
    }
    verdicts.push(peakRss === null
      ? { budget: 'peak RSS ≤ 300 MB', pass: false, detail: 'not measured: no /usr/bin/time and /proc gave no VmHWM' }
      : { budget: 'peak RSS ≤ 300 MB', pass: peakRss <= RSS_BUDGET_BYTES, detail: `${(peakRss / MB).toFixed(0)} MB, the highest of ${rounds} round(s)` });
    verdicts.push({
      budget: 'incident ≤ 0.5 × raw', pass: incidentBytes <= INCIDENT_RATIO_BUDGET * rawBytes,
      detail: `${(incidentBytes / MB).toFixed(1)} MB for ${(rawBytes / MB).toFixed(1)} MB raw (${(incidentBytes / rawBytes).toFixed(3)}×)`,
    });
    return { figures, verdicts, notes };
  },
};

/** One ingest of the bundle into a fresh incident file. */
async function ingestOnce(cli: string, bundleDir: string, incident: string, repoRoot: string): Promise<Measured> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${incident}${suffix}`, { force: true });
  const run = await measure(process.execPath, [cli, 'ingest', bundleDir, '--out', incident, '--json'], { cwd: repoRoot });
  if (run.exitCode !== 0) {
    throw new BenchUnavailable(`sluice ingest exited with ${run.exitCode}:\n${run.stderr.trim().split('\n').slice(-15).join('\n')}`);
  }
  return run;
}

/** "18.2 s (31.5 CPU-s)": one round's wall time and, when measured, its CPU time. */
function roundText(run: Measured): string {
  return `${(run.wallMs / 1000).toFixed(1)} s${run.cpuSeconds === null ? '' : ` (${run.cpuSeconds.toFixed(1)} CPU-s)`}`;
}

/** NaN (printed as such) when a run has no CPU time, i.e. without /usr/bin/time. */
function medianCpu(runs: Measured[]): number {
  return runs.some((r) => r.cpuSeconds === null) ? Number.NaN : median(runs.map((r) => r.cpuSeconds!));
}

const HASH_SAMPLE_BYTES = 64 * MB;

/** This thread's sha256 speed right now, in MB/s. */
function sha256MbPerSecond(): number {
  const data = randomBytes(HASH_SAMPLE_BYTES);
  const started = process.hrtime.bigint();
  createHash('sha256').update(data).digest();
  return HASH_SAMPLE_BYTES / MB / (Number(process.hrtime.bigint() - started) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function parseIngestSummary(stdout: string): { lines: number | null; warnings: number | null } {
  try {
    const json: unknown = JSON.parse(stdout);
    if (typeof json !== 'object' || json === null) return { lines: null, warnings: null };
    const record = json as Record<string, unknown>;
    const sources = Array.isArray(record.sources) ? record.sources : [];
    const lines = sources.reduce((sum: number, s: unknown) => {
      const value = typeof s === 'object' && s !== null ? (s as Record<string, unknown>).lines : undefined;
      return sum + (typeof value === 'number' ? value : 0);
    }, 0);
    return { lines: sources.length === 0 ? null : lines, warnings: typeof record.warnings === 'number' ? record.warnings : null };
  } catch {
    return { lines: null, warnings: null };
  }
}

/**
 * Runs lnav's own indexing of the same Flink log files, resolving to its measurement (undefined, with a note,
 * when lnav failed); undefined itself when lnav is not installed.
 */
async function lnavRunner(files: string[], workDir: string, notes: string[]): Promise<(() => Promise<Measured | undefined>) | undefined> {
  if (!(await commandExists('lnav'))) {
    notes.push('lnav is not installed: the lnav comparison is skipped (apt-get install -y lnav)');
    return undefined;
  }
  // A private HOME keeps lnav from reading or writing the user's configuration and session state.
  const home = join(workDir, 'lnav-home');
  mkdirSync(home, { recursive: true });
  let counted = false;
  return async () => {
    const result = await measure('lnav', ['-n', '-c', ';SELECT count(*) FROM all_logs', ...files], { env: { ...process.env, HOME: home } });
    if (result.exitCode !== 0) {
      notes.push(`lnav failed (exit ${result.exitCode}): ${result.stderr.trim().slice(0, 300)}`);
      return undefined;
    }
    if (!counted) notes.push(`lnav counted ${result.stdout.trim().split(/\s+/).pop() ?? '?'} log messages`);
    counted = true;
    return result;
  };
}
