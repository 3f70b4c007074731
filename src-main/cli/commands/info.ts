import { incidentInfo, microsToIso } from '../../core/api/engine.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { withIncident } from '../incident.js';
import { formatBytes, formatTime, printJson, table } from '../output.js';

export const infoCommand: Command = {
  name: 'info',
  summary: 'what an incident file holds: sources with kind, format, reason, time anchoring, warnings',
  usage: 'Usage: sluice info FILE.sluice [--json]',
  async run(argv) {
    const args = parseArgs(argv, { flags: ['json'] });
    return withIncident(args, (db, file) => {
    const info = incidentInfo(db);
    if (args.flags.has('json')) {
      printJson({
        ...info,
        timeRange: { from: info.timeRange.fromUs === null ? null : microsToIso(info.timeRange.fromUs), to: info.timeRange.toUs === null ? null : microsToIso(info.timeRange.toUs) },
      });
      return 0;
    }
    const out = [
      `${file} (schema ${info.schemaVersion})`,
      `time range:    ${formatTime(info.timeRange.fromUs)} … ${formatTime(info.timeRange.toUs)} UTC`,
      `jobs:          ${info.jobs.map((j) => `${j.name ?? '?'} (${j.jobId})`).join(', ') || '–'}`,
      `Flink:         ${info.flinkVersions.join(', ') || '–'}`,
      `TaskManagers:  ${info.taskManagers.map((t) => (t.host ? `${t.tmId} @ ${t.host}` : t.tmId)).join(', ') || '–'}`,
      `totals:        ${info.totals.lines.toLocaleString('en-US')} lines, ${info.totals.events.toLocaleString('en-US')} events, ${info.totals.gcEvents} GC events, ${info.totals.bpSamples} backpressure samples, ${info.totals.metricSamples} metric samples, ${info.totals.flameProfiles} flame profiles, ${info.totals.restCheckpoints} REST checkpoints`,
      '',
      table(
        ['id', 'source', 'kind', 'format', 'size', 'lines', 'events', 'warn', 'status', 'TM / host', 'Flink', 'time anchor', 'why'],
        info.sources.map((s) => [
          s.id, s.path, s.kind, s.format, formatBytes(s.bytes), s.lines, s.events, s.warnings, s.status,
          [s.tmId, s.host].filter(Boolean).join(' @ ') || '–', s.flinkVersion ?? '–',
          s.timeAnchor ? `${s.timeAnchor}${s.timeConfidence ? ` (${s.timeConfidence})` : ''}` : s.kind === 'gc-log' ? 'none' : `zone ${s.tz}`,
          s.reason,
        ]),
      ),
    ];
    if (info.warnings.length > 0) {
      out.push('', `warnings (${info.totals.warnings}${info.totals.warnings > info.warnings.length ? `, first ${info.warnings.length}` : ''}):`);
      for (const w of info.warnings) out.push(`  ${w.path}${w.line !== null ? `:${w.line}` : ''}: ${w.message}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
    });
  },
};
