import { CAPTURE_JM_LOG, CAPTURE_METRICS, CAPTURE_PHASE_DEBUG, CAPTURE_TM_LOGS, captureGcLog, captureRest } from '../capture.js';
import { listText } from '../format.js';
import { dominantPhase } from '../signals.js';
import type { Finding, Rule } from '../types.js';

export const coverage: Rule = {
  id: 'coverage',
  title: 'Coverage: evidence the bundle lacks for a firmer diagnosis, and how to capture it next time',
  evaluate(ctx) {
    const cov = ctx.coverage();
    const findings: Finding[] = [];
    const failed = ctx.failedCheckpoints();
    const failedIds = failed.map((c) => String(c.id));
    const job = ctx.jobs().length === 1 ? ctx.jobs()[0]!.jobId : null;
    const stragglerTms = new Set<string>();
    for (const c of failed.slice(0, 50)) {
      for (const s of ctx.subtasks(c.job, c.id)) if ((s.late || s.declined || s.status === 'pending') && s.tm !== null) stragglerTms.add(s.tm);
    }
    const about = failedIds.length > 0 ? ` This matters for failed checkpoint${failedIds.length > 1 ? 's' : ''} ${listText(failedIds, 6)}.` : '';
    const note = (rule: string, title: string, explanation: string, capture: string): void => {
      findings.push({
        rule: `coverage.${rule}`, role: 'coverage', severity: 'info', confidence: 0.95, fromUs: null, toUs: null, title, explanation,
        evidence: [], actions: [capture], missing: [capture], job, checkpointId: null, tm: null,
      });
    };

    if (cov.jmLogs === 0) {
      note('no-jm-log', 'No JobManager log in the bundle', 'Checkpoint triggers, completions, expiries, declines, restarts and lost TaskManagers are logged by the JobManager; without its log the checkpoint timeline comes only from REST dumps, if any.', CAPTURE_JM_LOG);
    }
    if (ctx.checkpoints().length > 0 && !cov.phaseDebugAnywhere && !cov.restSubtasks) {
      note(
        'no-phase-split',
        'No per-subtask checkpoint phases: DEBUG logging for org.apache.flink.streaming.runtime.tasks was off and no REST subtask statistics were captured',
        `Without the phase split (start delay, alignment, sync, async) a slow or failed checkpoint cannot be attributed to backpressure, snapshotting or state upload, only guessed at.${about}`,
        CAPTURE_PHASE_DEBUG,
      );
    }
    // REST statistics time only the subtasks that acknowledged in time: a straggler's phases come from its DEBUG lines.
    if (cov.restSubtasks) {
      const blind = new Map<string, { who: string; checkpoints: number[] }>();
      for (const c of failed.filter((x) => x.outcome === 'expired').slice(0, 50)) {
        for (const s of ctx.subtasks(c.job, c.id)) {
          if (s.declined || !(s.late || s.status === 'pending') || s.tm === null || cov.phaseDebugTms.has(s.tm) || dominantPhase(s) !== undefined) continue;
          const entry = blind.get(s.tm) ?? { who: ctx.subtaskLabel(s), checkpoints: [] };
          if (!entry.checkpoints.includes(c.id)) entry.checkpoints.push(c.id);
          blind.set(s.tm, entry);
        }
      }
      if (blind.size > 0) {
        const tms = [...blind.keys()];
        const first = blind.get(tms[0]!)!;
        findings.push({
          rule: 'coverage.no-phase-debug', role: 'coverage', severity: 'info', confidence: 0.95, fromUs: null, toUs: null,
          title: `No DEBUG checkpoint phase lines from ${listText(tms.map((tm) => ctx.tmLabel(tm)), 3)}, where ${first.who} held up checkpoint${first.checkpoints.length > 1 ? 's' : ''} ${listText(first.checkpoints.map(String), 4)}`,
          explanation:
            'The REST checkpoint statistics time only the subtasks that acknowledged in time; for a subtask that acknowledged late or never, ' +
            'only DEBUG lines of org.apache.flink.streaming.runtime.tasks on its TaskManager say whether it was waiting for barriers, snapshotting or uploading state.',
          evidence: [], actions: [CAPTURE_PHASE_DEBUG], missing: [CAPTURE_PHASE_DEBUG], job, checkpointId: first.checkpoints[0]!, tm: tms[0]!,
        });
      }
    }
    const tmsKnown = ctx.taskManagers().map((t) => t.tm);
    if (cov.gcLogs === 0 && tmsKnown.length > 0) {
      note('no-gc-log', 'No GC logs in the bundle', `GC pauses cannot be checked against stragglers, heartbeat timeouts or lost TaskManagers.${about}`, captureGcLog(null));
    } else {
      const without = [...stragglerTms].filter((tm) => !cov.gcTms.has(tm));
      if (without.length > 0) {
        findings.push({
          rule: 'coverage.no-gc-log-for-straggler', role: 'coverage', severity: 'info', confidence: 0.95, fromUs: null, toUs: null,
          title: `No GC log for ${listText(without.map((tm) => ctx.tmLabel(tm)), 3)}, where stragglers of failed checkpoints ran`,
          explanation: `GC logs cover ${cov.gcTms.size} TaskManager${cov.gcTms.size === 1 ? '' : 's'}, but not ${listText(without.map((tm) => ctx.tmLabel(tm)), 6)}: a long GC pause there cannot be confirmed or ruled out.`,
          evidence: [], actions: without.slice(0, 3).map((tm) => captureGcLog(tm)), missing: [captureGcLog(without[0]!)], job, checkpointId: null, tm: without[0]!,
        });
      }
    }
    if (!cov.restCheckpoints && ctx.checkpoints().length > 0) {
      note('no-rest', 'No REST checkpoint details in the bundle', `The REST checkpoint statistics name each subtask that never acknowledged, with its phases, state size and whether it was unaligned; the logs alone give this only with DEBUG on.${about}`, captureRest(job));
    }
    if (!cov.metrics && !cov.bpSamples) {
      note('no-metrics', 'No metrics in the bundle: backpressure, busy time and records per subtask are unknown', 'Backpressure origin, data skew and GC time over time come from task and JVM metrics (since Flink 1.13 backpressure is only available as metrics, nothing is logged).', CAPTURE_METRICS);
    }
    const noTmLog = [...stragglerTms].filter((tm) => !cov.tmLogTms.has(tm));
    if (cov.tmLogs === 0 && tmsKnown.length > 0) {
      note('no-tm-log', 'No TaskManager logs in the bundle', 'Task-side stack traces, snapshot failures and DEBUG phase lines are only in TaskManager logs.', CAPTURE_TM_LOGS);
    } else if (noTmLog.length > 0) {
      note('no-tm-log-for-straggler', `No log of ${listText(noTmLog.map((tm) => ctx.tmLabel(tm)), 3)}, where stragglers ran`, 'What those subtasks were doing during the failed checkpoints is only in their TaskManager logs.', CAPTURE_TM_LOGS);
    }
    return findings;
  },
};
