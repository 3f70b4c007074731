import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildReport } from '../../src-main/core/report/report.js';
import { openIncident } from '../../src-main/core/store/database.js';
import type { BenchContext, BenchModule, BenchResult } from './types.js';
import { BenchUnavailable } from './types.js';

/**
 * Report export (issue 7: ≤ 2 s, ≤ 5 MB for a sample incident) on the bundled sample and on the bench incident
 * the ingest module wrote (a large one: the report must stay bounded there too).
 */
const BUDGET_MS = 2000;
const BUDGET_BYTES = 5 * 1024 * 1024;

export const reportBench: BenchModule = {
  name: 'report',
  async run(context: BenchContext): Promise<BenchResult> {
    const result: BenchResult = { figures: [], verdicts: [], notes: [] };
    const incidents: Array<[string, string]> = [['sample', join(context.repoRoot, 'resources/sample/sample.sluice')], ['bench', join(context.workDir, 'bench.sluice')]];
    let measured = 0;
    for (const [label, path] of incidents) {
      if (!existsSync(path)) {
        result.notes.push(`${label} incident ${path} missing (run the ingest module first): skipped`);
        continue;
      }
      const db = openIncident(path, { readonly: true });
      try {
        const start = performance.now();
        const html = buildReport(db, { generator: { name: 'Sluice', version: 'bench' } });
        const ms = performance.now() - start;
        const bytes = Buffer.byteLength(html);
        measured++;
        result.figures.push({ name: `${label}: export time (${(statSync(path).size / 1e6).toFixed(0)} MB incident)`, value: Math.round(ms), unit: 'ms' });
        result.figures.push({ name: `${label}: report size`, value: Math.round(bytes / 1024), unit: 'KiB' });
        result.verdicts.push({ budget: `${label} report export ≤ ${BUDGET_MS} ms`, pass: ms <= BUDGET_MS, detail: `${Math.round(ms)} ms` });
        result.verdicts.push({ budget: `${label} report ≤ 5 MB`, pass: bytes <= BUDGET_BYTES, detail: `${(bytes / 1024 / 1024).toFixed(2)} MB` });
      } finally {
        db.close();
      }
    }
    if (measured === 0) throw new BenchUnavailable('no incident to export');
    return result;
  },
};
