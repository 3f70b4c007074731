import { describe, expect, it } from 'vitest';
import { parseGc, pauses } from './harness.js';

const iso = (us: number): string => new Date(us / 1000).toISOString();

describe('Unified Logging (JDK 9+)', () => {
  it('derives the start from the end stamp minus the duration, agreeing with gc,start within 1 ms', () => {
    const r = parseGc(
      [
        '[2022-01-29T16:34:51.644+0000][235ms][info][gc,start    ] GC(6) Pause Young (Normal) (G1 Evacuation Pause)',
        '[2022-01-29T16:34:51.652+0000][243ms][info][gc,heap     ] GC(6) Eden regions: 6->0(6)',
        '[2022-01-29T16:34:51.654+0000][245ms][info][gc          ] GC(6) Pause Young (Normal) (G1 Evacuation Pause) 14M->14M(46M) 9.772ms',
      ].join('\n'),
    );
    expect(r.events).toHaveLength(1);
    const e = r.events[0]!;
    expect(e).toMatchObject({
      kind: 'young', cause: 'G1 Evacuation Pause', gcId: 6, durationUs: 9_772, uptimeUs: 235_228,
      heapBeforeBytes: 14 * 1024 ** 2, heapCommittedBytes: 46 * 1024 ** 2, timeConfidence: 'exact', timeBasis: 'end-minus-duration',
    });
    expect(Math.abs(e.start - Date.UTC(2022, 0, 29, 16, 34, 51, 644) * 1000)).toBeLessThanOrEqual(1000);
    expect(r.facts).toMatchObject({ gcCollector: 'G1', timeAnchor: 'time decorator on each line', timeConfidence: 'exact' });
  });

  it.each([
    ['default uptime,level,tags', '[12.345s][info][gc] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 512M->128M(2048M) 15.123ms', Number.NaN, 12_329_877],
    ['time,uptime', '[2024-01-01T10:00:00.123+0000][12.345s][info][gc] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 512M->128M(2048M) 15.123ms', Date.UTC(2024, 0, 1, 10, 0, 0, 123) * 1000 - 15_123, 12_329_877],
    ['time,uptimemillis without level/tags', '[2024-01-01T10:00:00.123+0100][12345ms] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 512M->128M(2048M) 15.123ms', Date.UTC(2024, 0, 1, 9, 0, 0, 123) * 1000 - 15_123, 12_329_877],
    ['time only', '[2024-01-01T10:00:00.123+0000] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 512M->128M(2048M) 15.123ms', Date.UTC(2024, 0, 1, 10, 0, 0, 123) * 1000 - 15_123, undefined],
    ['time + padded level', '[2022-10-09T13:16:49.289+0000][3792.777s][info ][gc                ] GC(9) Pause Young (Normal) (G1 Evacuation Pause) 1780M->109M(10492M) 13.288ms', Date.UTC(2022, 9, 9, 13, 16, 49, 289) * 1000 - 13_288, 3_792_763_712],
    ['utctime,pid,tags', '[2019-07-18T18:29:11.553+0000][26996][gc] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.000ms', Date.UTC(2019, 6, 18, 18, 29, 11, 553) * 1000 - 3_000, undefined],
    ['uptimenanos', '[3564874277ns][info][gc] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.000ms', Number.NaN, 3_561_874],
    ['timemillis + uptimemillis', '[1581709315207ms][245ms][info][gc] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.000ms', 1581709315207 * 1000 - 3_000, 242_000],
    ['decimal comma uptime', '[2,048s][info][gc] GC(1) Pause Young (Allocation Failure) 24M->4M(256M) 3,000ms', Number.NaN, 2_045_000],
  ])('reads decorators: %s', (_name, line, start, uptime) => {
    const r = parseGc(`${line}\n`);
    expect(r.events).toHaveLength(1);
    const e = r.events[0]!;
    if (Number.isNaN(start)) expect(Number.isNaN(e.start)).toBe(true);
    else expect(e.start).toBe(start);
    expect(e.uptimeUs).toBe(uptime);
  });

  it('reads pid and host decorators into the facts', () => {
    const r = parseGc('[2019-07-18T18:29:11.553+0000][tm-host-7][26996][gc] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.000ms\n');
    expect(r.facts).toMatchObject({ pid: 26996, host: 'tm-host-7' });
  });

  it('folds a Serial Pause Full logged before its enclosing Pause Young', () => {
    const r = parseGc(
      [
        '[0.016s][info][gc] Using Serial',
        '[0.219s][info][gc] GC(1) Pause Young (Allocation Failure) 49M->49M(92M) 13.160ms',
        '[0.293s][info][gc] GC(3) Pause Full (Allocation Failure) 74M->10M(92M) 7.097ms',
        '[0.293s][info][gc] GC(2) Pause Young (Allocation Failure) 74M->10M(92M) 7.236ms',
      ].join('\n'),
    );
    expect(r.events.map((e) => [e.gcId, e.kind, e.durationUs, e.flags])).toEqual([
      [1, 'young', 13_160, undefined],
      [2, 'full', 7_236, ['escalated-to-full']],
    ]);
  });

  it('keeps back-to-back Parallel young and full pauses of one safepoint as two pauses; the safepoint is separate', () => {
    const r = parseGc(
      [
        '[0.018s][info][gc    ] Using Parallel',
        '[0.231s][info][gc           ] GC(1) Pause Young (Allocation Failure) 62M->62M(123M) 8.126ms',
        '[0.231s][info][gc,start     ] GC(2) Pause Full (Ergonomics)',
        '[0.232s][info][gc,phases      ] GC(2) Marking Phase 1.586ms',
        '[0.244s][info][gc             ] GC(2) Pause Full (Ergonomics) 62M->61M(123M) 13.561ms',
        '[0.245s][info][safepoint      ] Total time for which application threads were stopped: 0.0219412 seconds, Stopping threads took: 0.0000182 seconds',
      ].join('\n'),
    );
    expect(r.events.map((e) => [e.eventClass, e.kind, e.durationUs])).toEqual([
      ['pause', 'young', 8_126],
      ['pause', 'full', 13_561],
      ['safepoint', 'safepoint', 21_941],
    ]);
    expect(r.events[2]).toMatchObject({ uptimeUs: 223_059, flags: ['ttsp-us:18'] });
  });

  it('reads JDK 9-16 safepoint regions and JDK 17/21 Safepoint lines (incl. a 2 s time-to-safepoint)', () => {
    const r = parseGc(
      [
        '[2019-09-28T14:33:00.073+0000][8.793s][info][safepoint     ] Entering safepoint region: ShenandoahDegeneratedGC',
        '[2019-09-28T14:33:00.086+0000][8.805s][info][safepoint     ] Leaving safepoint region',
        '[2019-09-28T14:33:00.086+0000][8.805s][info][safepoint     ] Total time for which application threads were stopped: 0.0128948 seconds, Stopping threads took: 0.0002622 seconds',
        '[2023-12-12T10:20:58.134+0200][info][safepoint   ] Safepoint "Cleanup", Time since last: 1000297463 ns, Reaching safepoint: 2049524537 ns, Cleanup: 107492 ns, At safepoint: 532327 ns, Total: 2050164356 ns',
      ].join('\n'),
    );
    expect(r.events.map((e) => [e.eventClass, e.name, e.durationUs, e.flags])).toEqual([
      ['safepoint', 'ShenandoahDegeneratedGC', 12_895, ['ttsp-us:262']],
      ['safepoint', 'Cleanup', 2_050_164, ['ttsp-us:2049525']],
    ]);
    expect(iso(r.events[1]!.start)).toBe('2023-12-12T08:20:56.083Z');
  });

  it('does not count concurrent phases, cycles or sub-phases as pauses', () => {
    const r = parseGc(
      [
        '[0.298s][info][gc           ] GC(6) Concurrent Cycle',
        '[0.298s][info][gc,marking   ] GC(6) Concurrent Mark (0.298s)',
        '[0.299s][info][gc,start     ] GC(7) Pause Young (G1 Evacuation Pause)',
        '[0.303s][info][gc,phases    ] GC(7)   Pre Evacuate Collection Set: 0.0ms',
        '[0.303s][info][gc           ] GC(7) Pause Young (G1 Evacuation Pause) 90M->90M(128M) 3.819ms',
        '[0.312s][info][gc,marking   ] GC(6) Concurrent Mark (0.298s, 0.312s) 13.627ms',
        '[0.318s][info][gc           ] GC(6) Concurrent Cycle 20.140ms',
        '[29.675s][info][gc,phases      ] GC(831) Phase 1: Mark live objects 17.256ms',
      ].join('\n'),
    );
    expect(r.events.map((e) => [e.eventClass, e.kind, e.gcId])).toEqual([
      ['pause', 'young', 7],
      ['concurrent', 'concurrent-mark', 6],
      ['cycle', 'concurrent-cycle', 6],
    ]);
  });

  it('ignores Shenandoah gc,stats blocks and takes the degenerated cause from the cancel line', () => {
    const r = parseGc(
      [
        '[2019-09-28T14:33:00.064+0000][8.784s][info][gc            ] Cancelling GC: Allocation Failure',
        '[2019-09-28T14:33:00.074+0000][8.793s][info][gc,start      ] GC(165) Pause Degenerated GC (Outside of Cycle)',
        '[2019-09-28T14:33:00.085+0000][8.804s][info][gc            ] GC(165) Pause Degenerated GC (Outside of Cycle) 119M->56M(124M) 11.373ms',
        '[2022-08-17T00:34:05.606+0800][1.957s][info][gc,stats    ] Pause Init Mark (G)                1516 us',
        '[2022-08-17T00:34:05.606+0800][1.957s][info][gc,stats    ] Pause Init Mark (N)                1317 us',
        '[43.948s][info][gc             ] GC(831) Pause Full (Allocation Failure) 7943M->6013M(8192M) 14289.335ms',
      ].join('\n'),
    );
    expect(pauses(r.events).map((e) => [e.kind, e.cause, e.durationUs])).toEqual([
      ['degenerated', 'Allocation Failure', 11_373],
      ['full', 'Allocation Failure', 14_289_335],
    ]);
    expect(r.warnings.filter((w) => !/^uptime only|clock|restart/.test(w.message))).toEqual([]);
  });

  it('flags To-space exhausted on the pause of the same GC id', () => {
    const r = parseGc(['[0.318s][info][gc] GC(11) To-space exhausted', '[0.318s][info][gc] GC(11) Pause Young (G1 Evacuation Pause) 119M->121M(128M) 2.739ms'].join('\n'));
    expect(r.events[0]!.flags).toEqual(['to-space-exhausted']);
  });

  it('reads ZGC pauses, cycles (not pauses) with the cause, and per-thread allocation stalls', () => {
    const r = parseGc(
      [
        '[0.995s][info][gc] Using The Z Garbage Collector',
        '[200.343s][info][gc,start    ] GC(25) Garbage Collection (Allocation Rate)',
        '[200.344s][info][gc,phases   ] GC(25) Pause Mark Start 0.008ms',
        '[201.511s][info][gc          ] Allocation Stall (Group1.Backend.CompositeBackend{Tier1}.10) 29.092ms',
        '[201.658s][info][gc,heap     ] GC(25) Max Capacity: 3954M(100%)',
        '[201.658s][info][gc          ] GC(25) Garbage Collection (Allocation Rate) 3334M(84%)->2230M(56%)',
      ].join('\n'),
    );
    expect(r.events.map((e) => [e.eventClass, e.kind, e.durationUs, e.cause ?? null])).toEqual([
      ['pause', 'mark-start', 8, 'Allocation Rate'],
      ['alloc-stall', 'allocation-stall', 29_092, null],
      ['cycle', 'garbage-collection', 1_315_000, 'Allocation Rate'],
    ]);
    expect(r.events[1]!.flags).toEqual(['thread:Group1.Backend.CompositeBackend{Tier1}.10']);
    expect(r.events[2]).toMatchObject({ heapBeforeBytes: 3334 * 1024 ** 2, heapAfterBytes: 2230 * 1024 ** 2, heapMaxBytes: 3954 * 1024 ** 2 });
  });

  it('warns when a ZGC log has cycle lines only', () => {
    const r = parseGc(['[0.995s][info][gc] Using The Z Garbage Collector', '[1.221s][info][gc] GC(0) Garbage Collection (Metadata GC Threshold) 106M(0%)->88M(0%)'].join('\n'), 'gc-2023-06-14_09-12-40.log');
    expect(r.events).toEqual([expect.objectContaining({ eventClass: 'cycle', durationUs: 0, flags: ['duration-unknown'] })]);
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/cycle lines only/)]);
  });

  it('reads generational ZGC: Y:/y:/O: pauses, Major/Minor cycles (36 s cycle is not a pause)', () => {
    const r = parseGc(
      [
        '[0.193s][info][gc          ] GC(2) Major Collection (Warmup)',
        '[0.193s][info][gc,phases   ] GC(2) Y: Pause Mark Start (Major) 0.009ms',
        '[0.213s][info][gc,phases   ] GC(2) O: Pause Mark End 0.005ms',
        '[0.228s][info][gc          ] GC(2) Major Collection (Warmup) 30M(31%)->26M(27%) 0.036s',
        '[2023-12-12T10:20:45.260+0200][info][gc,phases   ] GC(34) y: Pause Mark Start 0.234ms',
        '[2023-12-12T10:21:22.021+0200][info][gc          ] GC(34) Minor Collection (Allocation Rate) 1824936M(36%)->1934414M(38%) 36.764s',
      ].join('\n'),
    );
    expect(r.events.map((e) => [e.eventClass, e.kind, e.durationUs, e.flags ?? []])).toEqual([
      ['pause', 'mark-start', 9, ['major', 'generation:young']],
      ['pause', 'mark-end', 5, ['generation:old']],
      ['cycle', 'major-collection', 36_000, []],
      ['pause', 'mark-start', 234, ['generation:young']],
      ['cycle', 'minor-collection', 36_764_000, []],
    ]);
    expect(r.facts.gcCollector).toBe('ZGC (generational)');
    expect(r.events[4]!.heapBeforeBytes).toBe(1824936 * 1024 ** 2);
  });

  it('infers the collector of a rotated file without the Using preamble, and warns about a restart', () => {
    const r = parseGc(
      [
        '[120.000s][info][gc] GC(40) Pause Young (Prepare Mixed) (G1 Evacuation Pause) 24M->4M(256M) 3.000ms',
        '[0.500s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.000ms',
      ].join('\n'),
    );
    expect(r.facts.gcCollector).toBe('G1');
    expect(r.events[0]!.flags).toEqual(['prepare-mixed']);
    expect(r.warnings.some((w) => w.line === 2 && /uptime went back/.test(w.message))).toBe(true);
  });

  it('treats undecorated lines as continuations and never throws on garbage', () => {
    const r = parseGc(['[0.018s][info][gc] Using G1', '\u0000\u0001garbage [[[', '     ', '[0.202s][info][gc] GC(0) Pause Young (G1 Evacuation Pause) 14M->12M(128M) 6.529ms'].join('\n'));
    expect(pauses(r.events)).toHaveLength(1);
    expect(r.continuation[1]).toBe(false);
  });
});
