import type { FindingRole } from './types.js';

/** The role a persisted finding plays, from its rule id (the `finding` table keeps the rule, not the role). */
export function roleOfRule(rule: string): FindingRole {
  if (rule.startsWith('checkpoint.') || rule === 'failures.checkpoint-failover' || rule === 'failures.tm-lost-failover') return 'symptom';
  if (rule.startsWith('trend.') || rule === 'gc.heap-after-gc-rising') return 'risk';
  if (rule.startsWith('config.')) return 'config';
  if (rule.startsWith('coverage.')) return 'coverage';
  return 'cause';
}
