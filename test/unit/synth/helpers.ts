import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundleSummary, ExpectedCluster, GenerateOptions } from '../../synth/generate.js';
import { generateBundle } from '../../synth/generate.js';

export const LINE = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) (TRACE|DEBUG|INFO |WARN |ERROR) (\S+) +(\[\])? ?- (.*)$/;

/** A record start: the reference's suggested regex (flink-formats.md §1.1). */
export const RECORD_START = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[,.]\d{3}) +(TRACE|DEBUG|INFO|WARN|ERROR|FATAL) +(\S+) +(?:\[[^\]]*\] +)?- (.*)$/;

export async function generate(partial: Partial<GenerateOptions> & Pick<GenerateOptions, 'scenario' | 'version'>): Promise<BundleSummary> {
  const out = join(mkdtempSync(join(tmpdir(), 'sluice-synth-')), 'bundle');
  return generateBundle({ tms: 3, out, sizeBytes: null, seed: 7, archive: 'none', debug: false, nearMiss: false, mixedVersions: false, nestJmLogs: false, ...partial });
}

export function readLines(summary: BundleSummary, relative: string): string[] {
  const text = readFileSync(join(summary.out, relative), 'utf8');
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
}

export function readJson(summary: BundleSummary, relative: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(summary.out, relative), 'utf8')) as Record<string, unknown>;
}

export function cluster(summary: BundleSummary, index = 0): ExpectedCluster {
  return summary.expected.clusters[index];
}

/** Messages (first physical line) of the records in a log whose message matches `pattern`. */
export function messages(lines: string[], pattern: RegExp): string[] {
  return lines.map((l) => RECORD_START.exec(l)?.[4]).filter((m): m is string => m !== undefined && pattern.test(m));
}
