import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { commandExists, measure } from './process.js';
import type { BenchContext, BenchModule, BenchResult, Figure, Verdict } from './types.js';
import { BenchUnavailable } from './types.js';

/**
 * Ingest throughput, peak memory and incident-file size for the bundle (DESIGN.md "Performance budgets"),
 * compared with lnav indexing the same Flink logs and with a plain `cat > /dev/null` read of the bundle.
 */
const RSS_BUDGET_BYTES = 300 * 1024 * 1024;
const INCIDENT_RATIO_BUDGET = 0.5;
const MB = 1024 * 1024;

export const ingestBench: BenchModule = {
  name: 'ingest',
  async run(context: BenchContext): Promise<BenchResult> {
    const { bundle, workDir, repoRoot } = context;
    const cli = join(repoRoot, 'out/main/cli.js');
    if (!existsSync(cli)) throw new BenchUnavailable(`${cli} is missing: the CLI is not built (npm run build), so ingest cannot be measured`);
    const rawBytes = bundle.totalBytes;
    const flinkLogs = bundle.files.filter((f) => f.kind === 'flink-jm-log' || f.kind === 'flink-tm-log').map((f) => join(bundle.out, f.path));
    const allFiles = bundle.files.map((f) => join(bundle.out, f.path));
    const notes: string[] = [];

    const baseline = await measure('sh', ['-c', 'cat "$@" > /dev/null', 'cat', ...allFiles]);
    mkdirSync(workDir, { recursive: true });
    const incident = join(workDir, 'bench.sluice');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${incident}${suffix}`, { force: true });
    const ingest = await measure(process.execPath, [cli, 'ingest', bundle.out, '--out', incident, '--json'], { cwd: repoRoot });
    if (ingest.exitCode !== 0) {
      throw new BenchUnavailable(`sluice ingest exited with ${ingest.exitCode} (the ingest command may still be in development):\n${ingest.stderr.trim().split('\n').slice(-15).join('\n')}`);
    }
    const summary = parseIngestSummary(ingest.stdout);
    const lines = summary.lines ?? bundle.flinkLogLines;
    if (summary.lines === null) notes.push('ingest --json gave no per-source line counts; lines/s uses the generator\'s count of Flink log lines');
    const incidentBytes = ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(`${incident}${suffix}`) ? statSync(`${incident}${suffix}`).size : 0), 0);
    const seconds = ingest.wallMs / 1000;
    const figures: Figure[] = [
      { name: 'raw bundle size', value: rawBytes / MB, unit: 'MB' },
      { name: 'ingest wall time', value: seconds, unit: 's' },
      { name: 'ingest throughput', value: rawBytes / MB / seconds, unit: 'MB/s' },
      { name: 'ingest lines', value: lines / seconds, unit: 'lines/s' },
      { name: 'ingest peak RSS', value: (ingest.peakRssBytes ?? Number.NaN) / MB, unit: 'MB' },
      { name: 'incident bytes per raw byte', value: incidentBytes / rawBytes, unit: '×' },
      { name: 'cat > /dev/null read baseline', value: rawBytes / MB / (baseline.wallMs / 1000), unit: 'MB/s' },
    ];
    if (summary.warnings !== null && summary.warnings > 0) notes.push(`ingest reported ${summary.warnings} parser warnings on the synthetic bundle`);

    const verdicts: Verdict[] = [];
    const lnavMbPerSecond = await lnavThroughput(flinkLogs, workDir, notes);
    const flinkLogMb = bundle.flinkLogBytes / MB;
    if (lnavMbPerSecond !== null) {
      figures.push({ name: 'lnav indexing throughput (Flink logs only)', value: lnavMbPerSecond, unit: 'MB/s' });
      const ours = rawBytes / MB / seconds;
      verdicts.push({ budget: 'throughput ≥ lnav', pass: ours >= lnavMbPerSecond, detail: `${ours.toFixed(1)} MB/s vs lnav ${lnavMbPerSecond.toFixed(1)} MB/s (lnav read ${flinkLogMb.toFixed(0)} MB of Flink logs)` });
    } else {
      verdicts.push({ budget: 'throughput ≥ lnav', pass: false, detail: 'not measured: lnav is not installed (apt-get install -y lnav)' });
    }
    verdicts.push(ingest.peakRssBytes === null
      ? { budget: 'peak RSS ≤ 300 MB', pass: false, detail: 'not measured: no /usr/bin/time and /proc gave no VmHWM' }
      : { budget: 'peak RSS ≤ 300 MB', pass: ingest.peakRssBytes <= RSS_BUDGET_BYTES, detail: `${(ingest.peakRssBytes / MB).toFixed(0)} MB` });
    verdicts.push({
      budget: 'incident ≤ 0.5 × raw', pass: incidentBytes <= INCIDENT_RATIO_BUDGET * rawBytes,
      detail: `${(incidentBytes / MB).toFixed(1)} MB for ${(rawBytes / MB).toFixed(1)} MB raw (${(incidentBytes / rawBytes).toFixed(3)}×)`,
    });
    return { figures, verdicts, notes };
  },
};

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

/** lnav's own indexing of the same Flink log files, in MB/s; null when lnav is absent. */
async function lnavThroughput(files: string[], workDir: string, notes: string[]): Promise<number | null> {
  if (!(await commandExists('lnav'))) {
    notes.push('lnav is not installed: the lnav comparison is skipped (apt-get install -y lnav)');
    return null;
  }
  // A private HOME keeps lnav from reading or writing the user's configuration and session state.
  const home = join(workDir, 'lnav-home');
  mkdirSync(home, { recursive: true });
  const result = await measure('lnav', ['-n', '-c', ';SELECT count(*) FROM all_logs', ...files], { env: { ...process.env, HOME: home } });
  if (result.exitCode !== 0) {
    notes.push(`lnav failed (exit ${result.exitCode}): ${result.stderr.trim().slice(0, 300)}`);
    return null;
  }
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  notes.push(`lnav counted ${result.stdout.trim().split(/\s+/).pop() ?? '?'} log messages in ${(result.wallMs / 1000).toFixed(1)} s`);
  return bytes / MB / (result.wallMs / 1000);
}
