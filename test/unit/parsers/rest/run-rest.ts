import { readFileSync } from 'node:fs';
import { ZoneClock } from '../../../../src-main/core/common/time.js';
import { parseRestJson } from '../../../../src-main/core/parsers/rest/index.js';
import { CollectingSink } from '../metrics/collecting-sink.js';

export const JOB = '3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b';
export const VERTEX = '90bea66de1c231edf33913ecd54406c1';

/** Runs the REST parser on a JSON text or value as if it were the bundle file at `path`. */
export function runRest(json: string | object, path: string): CollectingSink {
  const sink = new CollectingSink();
  const text = typeof json === 'string' ? json : JSON.stringify(json);
  parseRestJson(Buffer.from(text, 'utf8'), {
    sink,
    clock: new ZoneClock('UTC'),
    path,
    detection: { kind: 'rest-json', format: 'rest', reason: 'test' },
  });
  return sink;
}

export function fixture(name: string): string {
  return readFileSync(new URL(`../../../fixtures/rest/${name}`, import.meta.url), 'utf8');
}
