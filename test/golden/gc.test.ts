import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GcEventRecord } from '../../src-main/core/model/records.js';
import { parseGc } from '../unit/parsers/gc/harness.js';

/**
 * Golden summaries of the GC parser over every file in the shared corpus. `UPDATE_GOLDEN=1` rewrites the numbers
 * but keeps each file's hand-written `note` (what was checked by hand against the log, and what is surprising).
 */
const CORPUS = '/work/shared/corpus/gc';
const GOLDEN = join(__dirname, 'gc');
const update = process.env.UPDATE_GOLDEN === '1';

const ms = (us: number): number => Math.round(us) / 1000;

function describeEvent(e: GcEventRecord | undefined): Record<string, unknown> | null {
  if (e === undefined) return null;
  return {
    line: e.line,
    start: Number.isNaN(e.start) ? null : new Date(e.start / 1000).toISOString(),
    uptimeMs: e.uptimeUs === undefined ? null : ms(e.uptimeUs),
    class: e.eventClass,
    kind: e.kind,
    durationMs: ms(e.durationUs),
  };
}

function summarize(file: string): Record<string, unknown> {
  const result = parseGc(readFileSync(join(CORPUS, file), 'utf8'), `bundle/${file}`);
  const byClassKind: Record<string, number> = {};
  for (const e of result.events) byClassKind[`${e.eventClass}:${e.kind}`] = (byClassKind[`${e.eventClass}:${e.kind}`] ?? 0) + 1;
  const pauses = result.events.filter((e) => e.eventClass === 'pause');
  const ordered = [...result.events].sort((a, b) => a.line - b.line);
  return {
    events: result.events.length,
    byClassKind: Object.fromEntries(Object.entries(byClassKind).sort(([a], [b]) => a.localeCompare(b))),
    pauses: pauses.length,
    maxPauseMs: pauses.length === 0 ? 0 : ms(Math.max(...pauses.map((e) => e.durationUs))),
    totalPauseMs: ms(pauses.reduce((sum, e) => sum + e.durationUs, 0)),
    safepointTotalMs: ms(result.events.filter((e) => e.eventClass === 'safepoint').reduce((sum, e) => sum + e.durationUs, 0)),
    first: describeEvent(ordered[0]),
    last: describeEvent(ordered[ordered.length - 1]),
    warnings: result.warnings.length,
    collector: result.facts.gcCollector ?? null,
    timeConfidence: result.facts.timeConfidence ?? null,
  };
}

const files = readdirSync(CORPUS).filter((f) => f.endsWith('.txt')).sort();

describe('GC corpus goldens', () => {
  it('covers every corpus file', () => {
    expect(files.length).toBeGreaterThanOrEqual(29);
  });
  for (const file of files) {
    it(file, () => {
      const path = join(GOLDEN, `${file}.json`);
      const actual = summarize(file);
      if (update) {
        const note = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { note?: string }).note : undefined;
        writeFileSync(path, `${JSON.stringify({ note: note ?? 'TODO: verify by hand', ...actual }, null, 2)}\n`);
        return;
      }
      expect(existsSync(path), `missing golden ${path}: run with UPDATE_GOLDEN=1, then verify it by hand`).toBe(true);
      const { note: _note, ...expected } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      expect(actual).toEqual(expected);
    });
  }
});
