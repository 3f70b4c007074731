import { incidentSummary, listFindings, microsToIso, openIncident, runDiagnosis, type EvidenceRef, type FindingRow, type IncidentSummary } from '../../core/api/engine.js';
import { parseArgs, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { formatTime, printJson } from '../output.js';

export const diagnoseCommand: Command = {
  name: 'diagnose',
  summary: 'incident summary and ranked findings (root causes with evidence, risks, config smells, missing evidence)',
  usage: [
    'Usage: sluice diagnose FILE.sluice [--json] [--rerun]',
    '  --json   print {summary, findings:[…]}',
    '  --rerun  recompute the findings first (opens the file read-write), e.g. for files ingested by an older Sluice',
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv, { flags: ['json', 'rerun'] });
    const file = args.positionals[0];
    if (file === undefined) throw new UsageError('no incident file given');
    if (args.flags.has('rerun')) {
      const rw = openIncident(file);
      try {
        runDiagnosis(rw);
      } finally {
        rw.close();
      }
    }
    const db = openIncident(file, { readonly: true });
    try {
      const summary = incidentSummary(db);
      const findings = listFindings(db);
      if (args.flags.has('json')) {
        printJson({ summary: summaryJson(summary), findings: findings.map(findingJson) });
        return 0;
      }
      process.stdout.write(`${renderSummary(summary)}\n\n${findings.map(renderFinding).join('\n\n')}\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};

const iso = (us: number | null): string | null => (us === null ? null : microsToIso(us));

function summaryJson(s: IncidentSummary): unknown {
  return {
    ...s,
    timeSpan: { from: iso(s.timeSpan.fromUs), to: iso(s.timeSpan.toUs) },
    firstFailure: s.firstFailure === null ? null : { ...s.firstFailure, time: iso(s.firstFailure.ts) },
  };
}

function findingJson(f: FindingRow): unknown {
  return { ...f, from: iso(f.fromUs), to: iso(f.toUs) };
}

function renderSummary(s: IncidentSummary): string {
  const lines: string[] = ['INCIDENT SUMMARY'];
  lines.push(`  time span      ${formatTime(s.timeSpan.fromUs)} – ${formatTime(s.timeSpan.toUs)} UTC`);
  for (const j of s.jobs) {
    lines.push(`  job            ${j.name ?? '(name not logged)'} ${j.jobId}${j.restarts > 0 ? `, ${j.restarts} restart${j.restarts > 1 ? 's' : ''}` : ''}${j.finalState !== null ? `, last state ${j.finalState}` : ''}`);
  }
  if (s.jobs.length === 0) lines.push('  job            (none identified)');
  lines.push(`  TaskManagers   ${s.taskManagers}`);
  const c = s.checkpoints;
  lines.push(`  checkpoints    ${c.total} total: ${c.completed} completed, ${c.expired} expired, ${c.declined} declined, ${c.failed} failed${c.inProgress > 0 ? `, ${c.inProgress} in progress` : ''}${c.unknown > 0 ? `, ${c.unknown} unknown` : ''}`);
  lines.push(`  first failure  ${s.firstFailure === null ? 'none' : `${formatTime(s.firstFailure.ts)}  ${s.firstFailure.what}`}`);
  lines.push(`  findings       ${s.findingCounts.error} error, ${s.findingCounts.warning} warning, ${s.findingCounts.info} info`);
  if (s.hypotheses.length > 0) {
    lines.push('', 'MOST LIKELY ROOT CAUSES');
    s.hypotheses.forEach((h, i) => lines.push(`  ${i + 1}. [${Math.round(h.confidence * 100)} %] ${h.sentence}`));
  } else {
    lines.push('', 'No root cause to report: no warning- or error-level cause was found.');
  }
  if (s.missingEvidence.length > 0) {
    lines.push('', 'MISSING EVIDENCE');
    for (const m of s.missingEvidence) lines.push(`  - ${m}`);
  }
  return lines.join('\n');
}

function renderRef(r: EvidenceRef): string {
  const where = r.sourceId !== undefined && r.line !== undefined ? ` (source ${r.sourceId} line ${r.line})` : '';
  const id = r.id !== undefined ? `#${r.id}` : r.key !== undefined ? ` ${r.key}` : '';
  return `${r.type}${id}${where}: ${r.label}`;
}

function renderFinding(f: FindingRow): string {
  const head = `[${f.severity.toUpperCase()} ${Math.round(f.confidence * 100)} %] ${f.title}`;
  const lines = [head, `  rule: ${f.rule}${f.fromUs !== null ? `   time: ${formatTime(f.fromUs)}${f.toUs !== null && f.toUs !== f.fromUs ? ` – ${formatTime(f.toUs)}` : ''}` : ''}`];
  lines.push(...wrap(f.explanation, 110).map((l) => `  ${l}`));
  if (f.evidence.length > 0) {
    lines.push('  evidence:');
    for (const r of f.evidence.slice(0, 8)) lines.push(`    - ${renderRef(r)}`);
    if (f.evidence.length > 8) lines.push(`    … ${f.evidence.length - 8} more`);
  }
  if (f.actions.length > 0) {
    lines.push('  what to do:');
    for (const a of f.actions) lines.push(...wrap(a, 106).map((l, i) => `    ${i === 0 ? '- ' : '  '}${l}`));
  }
  if (f.missing.length > 0 && !f.rule.startsWith('coverage.')) {
    lines.push('  missing evidence:');
    for (const m of f.missing) lines.push(...wrap(m, 106).map((l, i) => `    ${i === 0 ? '- ' : '  '}${l}`));
  }
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line.length > 0 && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else {
      line = line.length === 0 ? word : `${line} ${word}`;
    }
  }
  if (line.length > 0) out.push(line);
  return out;
}
