import type { Db } from '../../store/database.js';
import { severityRank } from '../../store/queries/findings.js';
import { DiagnosisContext } from './context.js';
import { RULES } from './rules/index.js';
import type { Finding, FindingRole, Rule } from './types.js';

/** Root causes first, then the symptoms they explain, then risks, configuration and coverage. */
const ROLE_ORDER: Record<FindingRole, number> = { cause: 0, symptom: 1, risk: 2, config: 3, coverage: 4 };

export function rankFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
      b.confidence - a.confidence ||
      (a.fromUs ?? Infinity) - (b.fromUs ?? Infinity),
  );
}

export interface DiagnosisRun {
  findings: Finding[];
  /** Rules that threw: their findings are missing, the others are kept. */
  failedRules: Array<{ rule: string; error: string }>;
  elapsedMs: number;
}

/** Evaluates rules over an incident without writing anything. */
export function evaluateRules(db: Db, rules: readonly Rule[] = RULES): DiagnosisRun {
  const started = performance.now();
  const ctx = new DiagnosisContext(db);
  const findings: Finding[] = [];
  const failedRules: DiagnosisRun['failedRules'] = [];
  for (const rule of rules) {
    try {
      findings.push(...rule.evaluate(ctx));
    } catch (error) {
      // One broken rule must not hide what the others found; the failure is reported with the run.
      failedRules.push({ rule: rule.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { findings: rankFindings(findings), failedRules, elapsedMs: performance.now() - started };
}

/**
 * Evaluates every rule, ranks the findings and replaces the rows of `finding` with them, in rank order (so the
 * row id is the rank). Runs after every ingest, once the checkpoint model is rebuilt.
 */
export function runDiagnosis(db: Db, rules: readonly Rule[] = RULES): DiagnosisRun {
  const run = evaluateRules(db, rules);
  const insert = db.prepare(
    `INSERT INTO finding (rule, severity, confidence, from_us, to_us, title, explanation, evidence, actions, missing, job, checkpoint_id, tm)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  db.transaction(() => {
    // The table has no AUTOINCREMENT: once emptied, ids restart at 1, so `id` order is this run's rank order.
    db.exec('DELETE FROM finding');
    for (const f of run.findings) {
      insert.run(
        f.rule, f.severity, f.confidence, f.fromUs, f.toUs, f.title, f.explanation, JSON.stringify(f.evidence), JSON.stringify(f.actions),
        JSON.stringify(f.missing), f.job, f.checkpointId, f.tm,
      );
    }
  })();
  return run;
}
