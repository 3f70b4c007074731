import type { EvidenceRef, FindingRow, Severity } from '../../store/queries/findings.js';
import type { DiagnosisContext } from './context.js';

export type { EvidenceRef, Severity };

/**
 * What a finding is to the incident, used for ranking and for the summary's hypotheses:
 *   cause    — names a root cause (backpressure origin, GC, a lost TaskManager, the first failure …)
 *   symptom  — describes what failed and connects it to causes (checkpoint anatomy)
 *   risk     — a trend or threshold that will fail soon
 *   config   — a configuration smell
 *   coverage — evidence the bundle lacks
 */
export type FindingRole = 'cause' | 'symptom' | 'risk' | 'config' | 'coverage';

/** A finding as a rule produces it: the stored row (store/queries/findings.ts) before it has an id, plus its role. */
export interface Finding extends Omit<FindingRow, 'id'> {
  role: FindingRole;
}

export interface Rule {
  /** The rule group; every finding's `rule` starts with `<id>.`. */
  id: string;
  title: string;
  evaluate(ctx: DiagnosisContext): Finding[];
}

export function clampConfidence(value: number): number {
  return Math.round(Math.min(0.99, Math.max(0.05, value)) * 100) / 100;
}

export function dedupe(refs: EvidenceRef[]): EvidenceRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.type}:${r.id ?? ''}:${r.key ?? ''}:${r.sourceId ?? ''}:${r.line ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
