import { incidentContents, microsToIso, SCHEMA_VERSION } from '../../core/api/engine.js';
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
      const info = incidentContents(db);
      if (args.flags.has('json')) {
        printJson({
          schemaVersion: SCHEMA_VERSION,
          ...info,
          timeSpan: info.timeSpan === null ? null : { from: microsToIso(info.timeSpan.from), to: microsToIso(info.timeSpan.to) },
        });
        return 0;
      }
      const out = [
        `${file} (schema ${SCHEMA_VERSION})`,
        `time range:    ${formatTime(info.timeSpan?.from)} … ${formatTime(info.timeSpan?.to)} UTC`,
        `jobs:          ${info.jobs.map((j) => `${j.name ?? '?'} (${j.id})`).join(', ') || '–'}`,
        `Flink:         ${info.flinkVersions.join(', ') || '–'}`,
        `TaskManagers:  ${info.taskManagers.map((t) => (t.host ? `${t.id} @ ${t.host}` : t.id)).join(', ') || '–'}`,
        `totals:        ${info.counts.lines.toLocaleString('en-US')} lines, ${info.counts.events.toLocaleString('en-US')} events, ${info.counts.checkpoints} checkpoints (${info.counts.failedCheckpoints} failed), ${info.counts.gcEvents} GC events, ${info.counts.bpSamples} backpressure samples, ${info.counts.flameProfiles} flame profiles, ${info.counts.findings} findings`,
        `evidence:      ${info.evidence.map((e) => `${e.present ? '✓' : '✗'} ${e.label}`).join(', ')}`,
        '',
        table(
          ['source', 'kind', 'format', 'size', 'lines', 'events', 'warn', 'status', 'TM / host', 'Flink', 'time anchor', 'why'],
          info.sources.map((s) => [
            s.path, s.kind, s.format, formatBytes(s.bytes), s.lines, s.events, s.warnings, s.status,
            [s.tm, s.host].filter(Boolean).join(' @ ') || '–', s.flinkVersion ?? '–',
            s.timeAnchor ? `${s.timeAnchor}${s.timeConfidence ? ` (${s.timeConfidence})` : ''}` : s.kind === 'gc-log' ? 'none' : `zone ${s.tz}`,
            s.reason,
          ]),
        ),
      ];
      if (info.warnings.length > 0) {
        out.push('', `warnings (${info.warningCount}${info.warningCount > info.warnings.length ? `, first ${info.warnings.length}` : ''}):`);
        for (const w of info.warnings) out.push(`  ${w.path}${w.line !== null ? `:${w.line}` : ''}: ${w.message}`);
      }
      process.stdout.write(`${out.join('\n')}\n`);
      return 0;
    });
  },
};
