import { gcSummary } from '../../core/api/engine.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { withIncident } from '../incident.js';
import { formatBytes, printJson, table } from '../output.js';

export const gcCommand: Command = {
  name: 'gc',
  summary: 'GC per JVM: pauses by kind, max and p99 pause, worst pause-time share per minute, longest pauses',
  usage: 'Usage: sluice gc FILE.sluice [--json]',
  async run(argv) {
    const args = parseArgs(argv, { flags: ['json'] });
    return withIncident(args, (db) => {
    const jvms = gcSummary(db);
    if (args.flags.has('json')) {
      printJson(jvms);
      return 0;
    }
    if (jvms.length === 0) {
      process.stdout.write('no GC logs in this incident\n');
      return 0;
    }
    const out: string[] = [];
    for (const j of jvms) {
      out.push(
        `${j.tmId ? `${j.tmId}${j.host ? ` @ ${j.host}` : ''}` : j.jvm}  (${j.collector ?? 'collector unknown'}; ${j.sourcePaths.join(', ')}; times ${j.axis === 'wall' ? j.timeConfidence ?? 'exact' : j.axis === 'uptime' ? 'JVM uptime only, not anchored' : 'unknown'})`,
        `  ${j.pauseCount} pauses, ${(j.totalPauseMs / 1000).toFixed(1)} s stopped, max ${j.maxPauseMs.toFixed(1)} ms, p99 ${j.p99PauseMs.toFixed(1)} ms, ${j.fullGcCount} full GCs` +
          `${j.maxShare1m ? `, worst minute ${(j.maxShare1m.share * 100).toFixed(1)} % in pauses${j.maxShare1m.windowStartIso ? ` (from ${j.maxShare1m.windowStartIso})` : ''}` : ''}` +
          `${j.maxShare5m ? `, worst 5 min ${(j.maxShare5m.share * 100).toFixed(1)} %` : ''}`,
        ...(j.heapAfter ? [`  heap after GC: first ${formatBytes(j.heapAfter.firstBytes)}, last ${formatBytes(j.heapAfter.lastBytes)}, max ${formatBytes(j.heapAfter.maxBytes)}`] : []),
        table(['kind', 'count', 'total ms', 'max ms'], j.byKind.map((k) => [k.kind, k.count, Number(k.totalMs.toFixed(1)), Number(k.maxMs.toFixed(1))])).replace(/^/gm, '  '),
        '  longest pauses:',
        table(['start', 'kind', 'ms', 'cause', 'where'], j.longestPauses.map((p) => [p.startIso ?? (p.uptimeMs !== null ? `uptime ${(p.uptimeMs / 1000).toFixed(3)} s` : '–'), p.kind, Number(p.durationMs.toFixed(1)), p.cause ?? '', `${p.sourcePath}:${p.line}`])).replace(/^/gm, '    '),
        '',
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
    });
  },
};
