import { listCheckpoints, microsToIso } from '../../core/api/engine.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { withIncident } from '../incident.js';
import { formatBytes, formatTime, printJson, table } from '../output.js';

export const checkpointsCommand: Command = {
  name: 'checkpoints',
  summary: 'one row per checkpoint: outcome, duration, size, failure reason, late/declined subtasks and their TaskManagers',
  usage: 'Usage: sluice checkpoints FILE.sluice [--json] [--failed]',
  async run(argv) {
    const args = parseArgs(argv, { flags: ['json', 'failed'] });
    return withIncident(args, (db) => {
    let rows = listCheckpoints(db);
    if (args.flags.has('failed')) rows = rows.filter((r) => r.outcome !== 'completed');
    if (args.flags.has('json')) {
      printJson(rows.map((r) => ({
        job: r.job, jobName: r.jobName, id: r.checkpointId,
        trigger: r.triggerUs === null ? null : microsToIso(r.triggerUs), end: r.endUs === null ? null : microsToIso(r.endUs),
        outcome: r.outcome, durationMs: r.durationMs, stateSize: r.stateSize, checkpointedSize: r.checkpointedSize, type: r.type,
        failureReason: r.failureReason, subtasksTotal: r.subtasksTotal, subtasksAcked: r.subtasksAcked,
        stragglers: r.stragglers.map((s) => ({ vertex: s.vertexName ?? s.vertexId, vertexId: s.vertexId, subtask: s.subtask, status: s.status, late: s.late, declined: s.declined, tm: s.tm, host: s.host })),
      })));
      return 0;
    }
    process.stdout.write(`${table(
      ['job', 'id', 'trigger (UTC)', 'end (UTC)', 'outcome', 'duration ms', 'size', 'failure reason', 'stragglers'],
      rows.map((r) => [
        r.jobName ?? r.job.slice(0, 8), r.checkpointId, formatTime(r.triggerUs), formatTime(r.endUs), r.outcome,
        r.durationMs ?? '–', formatBytes(r.stateSize), r.failureReason ?? '',
        r.stragglers.map((s) => `${s.vertexName ?? s.vertexId} (${s.subtask + 1})${s.declined ? ' declined' : s.late ? ' late' : ' pending'}${s.tm ? ` on ${s.tm}` : ''}`).join('; '),
      ]),
    )}\n`);
    return 0;
    });
  },
};
