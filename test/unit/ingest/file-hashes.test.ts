import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileHasher, INITIAL_STATE, lastBlocks, loadLanes, sha256OfFile, type LanesAddon } from '../../../src-main/core/ingest/file-hashes.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-hashes-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lengths around the padding edges (55/56 bytes fit one last block or need two) and across read rounds (512 KiB). */
const LENGTHS = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, (1 << 19) - 1, 1 << 19, (1 << 19) + 70, 3 * (1 << 19) + 9];
const files = LENGTHS.map((length, i) => {
  const path = join(dir, `file-${i}.log`);
  writeFileSync(path, randomBytes(length));
  return path;
});
const expected = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Linux x86-64 with AVX2 and without the SHA extensions: the lanes must be built and used there. */
function cpuWantsLanes(): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false;
  const flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.split(' ') ?? [];
  return flags.includes('avx2') && !flags.includes('sha_ni');
}

describe('file hashes', () => {
  it('the sha256 addon is built and runs where its lanes beat OpenSSL', () => {
    if (cpuWantsLanes()) expect(loadLanes()?.features()).toMatch(/^avx(2|512vl)$/);
    const addon = loadLanes();
    if (addon !== undefined) expect(() => addon.compress(new Uint32Array(64), [new Uint8Array(10)])).toThrow(/whole 64-byte blocks/);
    else expect(new FileHasher(loadLanes()).engine).toMatch(/^(OpenSSL|8 lanes)/);
  });

  // Each kernel this CPU runs, straight through the addon: eight messages of different lengths in one call.
  for (const kernel of ['avx2', 'avx512vl'] as const) {
    const addon = loadLanes();
    const runs = addon !== undefined && (kernel === 'avx2' || addon.features() === 'avx512vl');
    it.runIf(runs)(`the ${kernel} kernel hashes eight lanes of different lengths as OpenSSL does`, () => {
      const messages = Array.from({ length: 8 }, (_, lane) => randomBytes(lane * 200 + 64 * lane + 3));
      const states = new Uint32Array(64);
      messages.forEach((_, lane) => states.set(INITIAL_STATE, lane * 8));
      const whole = messages.map((m) => m.length - (m.length % 64));
      addon!.compress(states, messages.map((m, lane) => m.subarray(0, whole[lane])), kernel);
      addon!.compress(states, messages.map((m, lane) => lastBlocks(m.subarray(whole[lane]!), m.length)), kernel);
      const digests = messages.map((_, lane) => Array.from(states.subarray(lane * 8, lane * 8 + 8), (w) => w.toString(16).padStart(8, '0')).join(''));
      expect(digests).toEqual(messages.map((m) => createHash('sha256').update(m).digest('hex')));
    });
  }

  // Thresholds for these small files: every file of 64 bytes or more may go to the lanes.
  const small = { laneMinBytes: 64, gatherMs: 20 };
  for (const [name, hasher] of [['lanes', new FileHasher(loadLanes(), small)], ['OpenSSL', new FileHasher(undefined)]] as const) {
    it(`${name}: hashes many files side by side, more than there are lanes, each as OpenSSL does`, async () => {
      const digests = await Promise.all(files.map((file) => hasher.hash(file)));
      expect(digests).toEqual(files.map(expected));
    });

    it(`${name}: a missing file rejects, an aborted one gives undefined, and the others still hash`, async () => {
      const aborted = new AbortController();
      aborted.abort();
      const results = await Promise.allSettled([
        hasher.hash(files.at(-1)!), hasher.hash(join(dir, 'missing.log')), hasher.hash(files.at(-2)!, aborted.signal), hasher.hash(files[3]!),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'error'))).toEqual([expected(files.at(-1)!), 'error', undefined, expected(files[3]!)]);
    });
  }

  it.runIf(loadLanes() !== undefined)('a file that would be alone in the lanes goes to OpenSSL', async () => {
    const lanes = loadLanes()!;
    let laneBytes = 0;
    const counting: LanesAddon = {
      features: () => lanes.features(),
      compress: (states, chunks, kernel) => {
        laneBytes += chunks.reduce((sum, chunk) => sum + (chunk?.length ?? 0), 0);
        lanes.compress(states, chunks, kernel);
      },
    };
    const hasher = new FileHasher(counting, small);
    const large = files.at(-2)!;
    const largest = join(dir, 'largest.log');
    writeFileSync(largest, randomBytes(4 << 20));
    // Small, or alone for gatherMs: OpenSSL.
    expect(await new FileHasher(counting, { laneMinBytes: 2000, gatherMs: 20 }).hash(files[10]!)).toBe(expected(files[10]!));
    expect(await hasher.hash(largest)).toBe(expected(largest));
    expect(laneBytes).toBe(0);
    // Together: the lanes, until the smaller one ends. The larger is then left with over 1/2.6 of its bytes, so
    // OpenSSL hashes it again from the start rather than one lane finishing it.
    expect(await Promise.all([hasher.hash(largest), hasher.hash(large)])).toEqual([expected(largest), expected(large)]);
    expect(laneBytes).toBeGreaterThan(statSync(large).size);
    expect(laneBytes).toBeLessThan(statSync(largest).size);
    expect(await sha256OfFile(largest)).toBe(expected(largest));
  });
});
