import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { measure } from './process.js';
import type { BenchContext, BenchModule, BenchResult } from './types.js';
import { BenchUnavailable } from './types.js';

/**
 * GC parser throughput, measured by test/bench/gc-throughput.ts (owned by the GC parser): run as its own process
 * so its memory and JIT state do not mix with the other figures; its report is passed through as notes.
 */
export const gcParseBench: BenchModule = {
  name: 'gc-parse',
  async run(context: BenchContext): Promise<BenchResult> {
    const script = join(context.repoRoot, 'test/bench/gc-throughput.ts');
    const tsx = join(context.repoRoot, 'node_modules/.bin/tsx');
    if (!existsSync(script)) throw new BenchUnavailable(`${script} is missing`);
    const result = await measure(tsx, [script], { cwd: context.repoRoot });
    if (result.exitCode !== 0) throw new BenchUnavailable(`gc-throughput.ts exited with ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-5).join('\n')}`);
    const report = result.stdout.trim().split('\n').filter((l) => l.trim() !== '');
    return { figures: [{ name: 'gc-throughput.ts wall time', value: result.wallMs / 1000, unit: 's' }], verdicts: [], notes: report };
  },
};
