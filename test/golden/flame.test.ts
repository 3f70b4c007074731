import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlameProfileRecord } from '../../src-main/core/model/records.js';
import { runFlame, totalWeight } from '../unit/parsers/flame/sink.js';

/**
 * Every file of the shared flame corpus against a checked-in summary. Regenerate with UPDATE_GOLDEN=1 and review
 * the diff: the numbers were cross-checked independently (awk sums, HTML root totals, `jfr summary` / `jfr print`).
 */
const CORPUS = '/work/shared/corpus/flame';
const GOLDEN = join(import.meta.dirname, 'flame');
const update = process.env['UPDATE_GOLDEN'] === '1';

interface Ranked {
  name: string;
  type?: string;
  weight: number;
}

function frameKey(frame: { name: string; type?: string }): string {
  return `${frame.type ?? ''}\u0000${frame.name}`;
}

function top(weights: Map<string, number>): Ranked[] {
  return [...weights]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, 5)
    .map(([key, weight]) => {
      const [type, name] = key.split('\u0000') as [string, string];
      return type === '' ? { name, weight } : { name, type, weight };
    });
}

function summarize(profile: FlameProfileRecord): Record<string, unknown> {
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const frames = new Set<string>();
  for (const stack of profile.stacks) {
    const onStack = new Set<string>();
    for (const frame of stack.frames) {
      const key = frameKey(frame);
      frames.add(key);
      if (!onStack.has(key)) total.set(key, (total.get(key) ?? 0) + stack.weight);
      onStack.add(key);
    }
    const leaf = stack.frames.at(-1);
    if (leaf !== undefined) self.set(frameKey(leaf), (self.get(frameKey(leaf)) ?? 0) + stack.weight);
  }
  const iso = (us: number | undefined): string | null => (us === undefined ? null : new Date(us / 1000).toISOString());
  const sampleTimes = (profile.samples ?? []).map((s) => s.ts);
  return {
    format: profile.format,
    mode: profile.mode,
    title: profile.title ?? null,
    totalWeight: totalWeight(profile),
    distinctStacks: profile.stacks.length,
    distinctFrames: frames.size,
    threads: new Set(profile.stacks.map((s) => s.thread).filter((t) => t !== undefined)).size,
    timestampedSamples: sampleTimes.length,
    firstSample: sampleTimes.length > 0 ? iso(Math.min(...sampleTimes)) : null,
    lastSample: sampleTimes.length > 0 ? iso(Math.max(...sampleTimes)) : null,
    start: iso(profile.startTs),
    end: iso(profile.endTs),
    timeExact: profile.timeExact,
    tm: profile.tm ?? null,
    topSelf: top(self),
    topTotal: top(total),
  };
}

const files = readdirSync(CORPUS).filter((name) => name !== 'PROVENANCE.md').sort();

describe('flame corpus goldens', () => {
  it('covers the whole corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
  });

  for (const file of files) {
    it(file, () => {
      const run = runFlame(readFileSync(join(CORPUS, file)), file);
      const actual = {
        file,
        profiles: run.profiles.length,
        warnings: run.warnings.length,
        warningMessages: run.warnings.map((w) => (w.line !== undefined ? `${w.line}: ${w.message}` : w.message)),
        summaries: run.profiles.map(summarize),
      };
      for (const profile of run.profiles) {
        // Invariants that hold whatever the golden says.
        for (const sample of profile.samples ?? []) expect(profile.stacks[sample.stack]).toBeDefined();
        const sampleWeight = (profile.samples ?? []).reduce((sum, s) => sum + s.weight, 0);
        if (profile.samples !== undefined) expect(sampleWeight).toBe(totalWeight(profile));
      }
      const goldenPath = join(GOLDEN, `${file}.json`);
      if (update || !existsSync(goldenPath)) {
        if (!update) throw new Error(`no golden for ${file}; run with UPDATE_GOLDEN=1 and review it`);
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(goldenPath, `${JSON.stringify(actual, null, 2)}\n`);
      }
      expect(actual).toEqual(JSON.parse(readFileSync(goldenPath, 'utf8')));
    });
  }
});
