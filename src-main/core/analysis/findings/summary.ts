import type { Db } from '../../store/database.js';
import { checkpointCounts } from '../../store/queries/checkpoints.js';
import { listFindings, type EvidenceRef, type Hypothesis, type IncidentSummary } from '../../store/queries/findings.js';
import { DiagnosisContext, type EventFact } from './context.js';
import { roleOfRule } from './roles.js';

const MAX_HYPOTHESES = 5;

/**
 * The first screen of an incident: when, which jobs, what failed first, how checkpoints ended, and the ranked
 * root-cause hypotheses (from the stored findings, so it is cheap and consistent with them).
 */
export function incidentSummary(db: Db): IncidentSummary {
  const ctx = new DiagnosisContext(db);
  const findings = listFindings(db);
  const jobStates = ctx.events('job.state');
  const jobs = ctx.jobs().map((j) => {
    const mine = jobStates.filter((e) => e.job === j.jobId);
    const last = mine[mine.length - 1];
    return {
      jobId: j.jobId, name: j.name, restarts: mine.filter((e) => e.attrs.to === 'RESTARTING').length,
      finalState: last !== undefined && typeof last.attrs.to === 'string' ? last.attrs.to : null,
    };
  });

  const causes = findings.filter((f) => roleOfRule(f.rule) === 'cause' && f.severity !== 'info');
  const pool = causes.length > 0 ? causes : findings.filter((f) => roleOfRule(f.rule) === 'symptom' && f.severity !== 'info');
  // Findings are stored in rank order (severity, then causes before the consequences they explain, then
  // confidence): the hypotheses keep it, so the first hypothesis is the first finding on screen.
  const hypotheses: Hypothesis[] = [...pool]
    .sort((a, b) => a.id - b.id)
    .slice(0, MAX_HYPOTHESES)
    .map((f) => ({ findingId: f.id, rule: f.rule, severity: f.severity, confidence: f.confidence, sentence: `${f.title}.` }));

  const count = (severity: string): number => findings.filter((f) => f.severity === severity).length;
  return {
    timeSpan: ctx.span(),
    jobs,
    taskManagers: ctx.taskManagers().length,
    firstFailure: firstFailure(ctx),
    checkpoints: checkpointCounts(db),
    hypotheses,
    missingEvidence: findings.filter((f) => roleOfRule(f.rule) === 'coverage').map((f) => f.title),
    findingCounts: { error: count('error'), warning: count('warning'), info: count('info') },
  };
}

function firstFailure(ctx: DiagnosisContext): IncidentSummary['firstFailure'] {
  const candidates: Array<{ ts: number; what: string; evidence: EvidenceRef }> = [];
  const describeTask = (e: EventFact): string => {
    const job = e.job ?? ctx.resolveJob(null);
    const who = e.vertexName !== null && e.subtask !== null
      ? ctx.subtaskLabel({ job: job ?? '', vertexId: e.vertexId ?? ctx.vertexKeyForName(job, e.vertexName), vertexName: e.vertexName, subtask: e.subtask })
      : e.vertexName ?? 'A task';
    const cause = ctx.failureText(e);
    return `${who}${e.tm !== null ? ` on ${ctx.tmLabel(e.tm)}` : ''} failed${cause !== undefined ? `: ${cause.split('\n')[0]}` : ''}`;
  };
  const task = ctx.failedTasks()[0];
  if (task !== undefined) candidates.push({ ts: task.ts, what: describeTask(task), evidence: ctx.eventRef(task, 'first task failure') });
  const job = ctx.events('job.state').find((e) => e.attrs.to === 'FAILING' || e.attrs.to === 'RESTARTING' || e.attrs.to === 'FAILED');
  if (job !== undefined) {
    const cause = ctx.failureText(job);
    candidates.push({ ts: job.ts, what: `${ctx.jobLabel(job.job)} switched to ${String(job.attrs.to)}${cause !== undefined ? `: ${cause.split('\n')[0]}` : ''}`, evidence: ctx.eventRef(job, 'job failure') });
  }
  const lost = ctx.events('tm.heartbeat-timeout', 'tm.unreachable', 'tm.worker-terminated')[0];
  if (lost !== undefined) candidates.push({ ts: lost.ts, what: `TaskManager ${ctx.tmLabel(lost.tm)} was lost (${lost.kind.replace('tm.', '')})`, evidence: ctx.eventRef(lost, 'TaskManager lost') });
  const oom = ctx.events('oom', 'fatal.error', 'fatal.uncaught')[0];
  if (oom !== undefined) candidates.push({ ts: oom.ts, what: `${oom.kind === 'oom' ? 'OutOfMemoryError' : 'Fatal error'}${oom.tm !== null ? ` on ${ctx.tmLabel(oom.tm)}` : ''}${ctx.failureText(oom) !== undefined ? `: ${ctx.failureText(oom)!.split('\n')[0]}` : ''}`, evidence: ctx.eventRef(oom, 'fatal error') });
  const checkpoint = ctx.failedCheckpoints().find((c) => c.endUs !== null || c.triggerUs !== null);
  if (checkpoint !== undefined) {
    const ts = checkpoint.endUs ?? checkpoint.triggerUs!;
    candidates.push({
      ts,
      what: `Checkpoint ${checkpoint.id} ${checkpoint.outcome}${checkpoint.failureReason !== null && checkpoint.outcome !== 'expired' ? `: ${checkpoint.failureReason.split('\n')[0]}` : ''}`,
      evidence: ctx.checkpointRef(checkpoint),
    });
  }
  candidates.sort((a, b) => a.ts - b.ts);
  return candidates[0] ?? null;
}
