import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteReader, JfrOutOfBounds } from '../../../../src-main/core/parsers/flame/jfr/byte-reader.js';
import { runFlame, totalWeight } from './sink.js';

const JDK = readFileSync('/work/shared/corpus/flame/04-jdk21-builtin-jfr-heavy.jfr');
const ASYNC_GZ = readFileSync('/work/shared/corpus/flame/15-async-profiler-cpu.jfr.gz');

describe('JFR byte reader', () => {
  const reader = (bytes: number[]) => new ByteReader(Buffer.from(bytes), 0, bytes.length, true);

  it('decodes LEB128 varints including 9-byte two-complement negatives and values above 2^53', () => {
    expect(reader([0x7f]).varlong()).toBe(127);
    expect(reader([0xac, 0x02]).varlong()).toBe(300);
    expect(reader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).varlong()).toBe(-1);
    expect(reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]).varlong()).toBe(2 ** 56);
    expect(reader([0xff, 0xff, 0xff, 0xff, 0x0f]).int()).toBe(-1);
  });

  it('throws its own error when a read passes the end', () => {
    expect(() => reader([0x80]).varlong()).toThrow(JfrOutOfBounds);
  });
});

describe('JFR recordings', () => {
  it('reads a JDK 21 recording: execution, native-method and allocation samples with absolute times', () => {
    const run = runFlame(JDK, 'tm-4/heavy.jfr');
    expect(run.warnings).toEqual([]);
    expect(run.profiles.map((p) => [p.mode, totalWeight(p), p.samples?.length, p.tm])).toEqual([
      ['cpu', 346, 346, 'tm-4'],
      ['wall', 44, 44, 'tm-4'],
      ['alloc', 25, 25, 'tm-4'],
    ]);
    const [cpu] = run.profiles;
    expect(cpu).toMatchObject({ format: 'jfr', timeExact: true });
    const start = Date.UTC(2024, 8, 17, 18, 51, 5) * 1000;
    for (const sample of cpu!.samples!) {
      expect(sample.ts).toBeGreaterThanOrEqual(cpu!.startTs!);
      expect(sample.ts).toBeLessThanOrEqual(cpu!.endTs!);
      expect(sample.ts).toBeGreaterThan(start);
    }
    // allocation samples end in the allocated class
    expect(run.profiles[2]!.stacks.every((s) => s.frames.at(-1)!.type === 'class')).toBe(true);
  });

  it('accepts gzip bytes itself and takes the mode from async-profiler settings', () => {
    const run = runFlame(ASYNC_GZ, 'cpu.jfr.gz');
    expect(run.profiles.map((p) => [p.mode, totalWeight(p)])).toEqual([['cpu', 10236]]);
    const threads = new Set(run.profiles[0]!.stacks.map((s) => s.thread));
    expect(threads.has('http-nio-8081-exec-2')).toBe(true);
  });

  it('reads every chunk of a multi-chunk recording', () => {
    const run = runFlame(Buffer.concat([JDK, JDK]), 'two.jfr');
    expect(run.profiles.map((p) => totalWeight(p))).toEqual([692, 88, 50]);
    expect(run.profiles[0]!.stacks).toHaveLength(85); // identical stacks of both chunks merge
  });

  it('keeps the samples of a chunk cut inside its constant pool: stacks read before the cut resolve, the rest do not', () => {
    const raw = gunzipSync(ASYNC_GZ);
    const run = runFlame(raw.subarray(0, Math.floor(raw.length * 0.4)), 'cut.jfr');
    expect(run.warnings.map((w) => w.message).join('\n')).toMatch(/truncated[\s\S]*constant pool[\s\S]*unresolved/);
    const [profile] = run.profiles;
    expect(totalWeight(profile!)).toBeGreaterThan(1000);
    expect(totalWeight(profile!)).toBeLessThan(10236);
    const unresolved = profile!.stacks.filter((s) => s.frames[0]!.name === '[unresolved stack trace]');
    expect(unresolved.length).toBeGreaterThan(0);
    expect(unresolved.length).toBeLessThan(profile!.stacks.length);
  });

  it('warns and emits nothing when a chunk is cut before its metadata event', () => {
    const metadataOffset = Number(JDK.readBigInt64BE(24));
    const run = runFlame(JDK.subarray(0, metadataOffset - 100), 'cut.jfr');
    expect(run.profiles).toEqual([]);
    expect(run.warnings.map((w) => w.message).join('\n')).toMatch(/metadata event unreadable/);
  });

  it('survives a truncated gzip stream and garbage after the magic', () => {
    const cut = runFlame(ASYNC_GZ.subarray(0, ASYNC_GZ.length / 3), 'cpu.jfr.gz');
    expect(cut.warnings[0]!.message).toMatch(/gzip stream is truncated/);
    const garbage = Buffer.concat([Buffer.from('FLR\0', 'latin1'), Buffer.alloc(100, 0xff)]);
    const run = runFlame(garbage, 'bad.jfr');
    expect(run.profiles).toEqual([]);
    expect(run.warnings.length).toBeGreaterThan(0);
  });
});
