import { existsSync } from 'node:fs';
import {
  checkpointCounts, DEFAULT_MIN_PART_BYTES, incidentContents, microsToIso, openIncident, runIngestInWorker, ZoneClock,
  type IngestProgress, type IngestSummary,
} from '../../core/api/engine.js';
import { parseArgs, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { formatBytes, printJson, table } from '../output.js';

const USAGE = `Usage: sluice ingest <inputs…> --out FILE.sluice [--tz ZONE] [--part-mb N] [--json]

Reads folders, .zip, .tar, .tar.gz/.tgz, .gz and plain files (nested archives too) into the incident file,
creating it when missing. Files already in the incident (same sha256) are skipped.
  --out FILE   incident file to create or extend
  --tz ZONE    IANA time zone of zone-less log timestamps (default UTC)
  --part-mb N  read a log in parts side by side when each part has N MB or more (default ${DEFAULT_MIN_PART_BYTES / 2 ** 20})
  --json       print one JSON summary object instead of text`;

function progressLine(p: IngestProgress): string {
  const file = p.file === undefined ? '' : ` ${p.file.length > 60 ? `…${p.file.slice(-59)}` : p.file}`;
  const current = p.fileBytes ? ` ${formatBytes(p.fileBytes)}` : '';
  return `\r\x1b[K${p.phase === 'analysing' ? 'analysing…' : `${p.filesDone} files, ${formatBytes(p.bytesDone)}, ${p.linesDone.toLocaleString('en-US')} lines${current}${file}`}`;
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'read logs, GC logs, flame graphs, REST and metric dumps into an incident file',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, { flags: ['json'], options: ['out', 'tz', 'part-mb'], aliases: { '-o': '--out' } });
    const out = args.options.get('out');
    if (out === undefined) throw new UsageError('--out FILE.sluice is required');
    if (args.positionals.length === 0) throw new UsageError('no inputs given');
    const missing = args.positionals.filter((p) => !existsSync(p));
    if (missing.length > 0) throw new Error(`no such file or folder: ${missing.join(', ')}`);
    const tz = args.options.get('tz') ?? 'UTC';
    if (!ZoneClock.isValidZone(tz)) throw new UsageError(`unknown time zone '${tz}'`);
    const partMb = args.options.get('part-mb');
    const minPartBytes = partMb === undefined ? undefined : Number(partMb) * 1024 * 1024;
    if (minPartBytes !== undefined && !(minPartBytes > 0)) throw new UsageError(`--part-mb wants a positive number of MB, not '${partMb}'`);
    // Validate (or create) the incident file before starting the worker so errors read as one line.
    openIncident(out, { create: true }).close();

    const showProgress = process.stderr.isTTY === true && !args.flags.has('json');
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    let summary: IngestSummary;
    try {
      summary = await runIngestInWorker({ inputs: args.positionals, incidentPath: out, tz, ...(minPartBytes !== undefined && { minPartBytes }) }, (p) => {
        if (showProgress) process.stderr.write(progressLine(p));
      }, controller.signal);
    } finally {
      process.off('SIGINT', onSigint);
      if (showProgress) process.stderr.write('\r\x1b[K');
    }

    const db = openIncident(out, { readonly: true });
    try {
      const counts = checkpointCounts(db);
      const span = incidentContents(db).timeSpan;
      const warnings = summary.bundleWarnings.length + summary.sources.reduce((n, s) => n + s.warnings, 0);
      if (args.flags.has('json')) {
        printJson({
          sources: summary.sources.map((s) => ({ path: s.path, kind: s.kind, format: s.format, reason: s.reason, lines: s.lines, events: s.events, warnings: s.warnings, status: s.status })),
          bundleWarnings: summary.bundleWarnings,
          checkpoints: { total: counts.total, completed: counts.completed, expired: counts.expired, declined: counts.declined, failed: counts.failed, inProgress: counts.inProgress, unknown: counts.unknown },
          timeRange: {
            from: span === null ? null : microsToIso(span.from),
            to: span === null ? null : microsToIso(span.to),
          },
          warnings,
          cancelled: summary.cancelled,
        });
      } else {
        const byKind = new Map<string, number>();
        for (const s of summary.sources) byKind.set(s.kind, (byKind.get(s.kind) ?? 0) + 1);
        const lines = summary.sources.reduce((n, s) => n + s.lines, 0);
        const events = summary.sources.reduce((n, s) => n + s.events, 0);
        process.stdout.write(
          [
            `${out}: ${summary.sources.length} files (${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}), ${lines.toLocaleString('en-US')} lines, ${events.toLocaleString('en-US')} events${summary.cancelled ? ' — CANCELLED, finished files kept' : ''}`,
            '',
            table(['file', 'kind', 'format', 'lines', 'events', 'warnings', 'status', 'why'], summary.sources.map((s) => [s.path, s.kind, s.format, s.lines, s.events, s.warnings, s.status, s.reason])),
            '',
            `checkpoints: ${counts.total} (${counts.completed} completed, ${counts.expired} expired, ${counts.declined} declined, ${counts.failed} failed, ${counts.inProgress} in progress, ${counts.unknown} unknown)`,
            `time range: ${span === null ? '–' : `${microsToIso(span.from)} … ${microsToIso(span.to)}`}`,
            `warnings: ${warnings}${warnings > 0 ? ` (see 'sluice info ${out}')` : ''}`,
            ...summary.bundleWarnings.slice(0, 20).map((w) => `  ! ${w.path}: ${w.message}`),
          ].join('\n') + '\n',
        );
      }
    } finally {
      db.close();
    }
    return summary.cancelled ? 130 : 0;
  },
};
