import { describe, expect, it } from 'vitest';
import { parseGc, pauses } from './harness.js';

const iso = (us: number): string => new Date(us / 1000).toISOString();

describe('JDK 8 HotSpot logs', () => {
  it('reads a Parallel young pause with datestamp, uptime and GC id; start is the logged prefix', () => {
    const r = parseGc(
      '2022-07-26T21:00:40.750+0800: 3.117: #0: [GC (Allocation Failure) [PSYoungGen: 7077888K->222570K(8257536K)] 7077888K->222586K(9306112K), 0.5437135 secs] [Times: user=1.92 sys=0.20, real=0.55 secs]\n',
    );
    expect(r.events).toHaveLength(1);
    const e = r.events[0]!;
    expect(iso(e.start)).toBe('2022-07-26T13:00:40.750Z');
    expect(e).toMatchObject({
      uptimeUs: 3_117_000, durationUs: 543_714, eventClass: 'pause', kind: 'young', cause: 'Allocation Failure', gcId: 0,
      heapBeforeBytes: 7077888 * 1024, heapAfterBytes: 222586 * 1024, heapCommittedBytes: 9306112 * 1024,
      timeConfidence: 'exact', timeBasis: 'logged-start',
    });
    expect(r.facts.gcCollector).toBe('Parallel');
  });

  it('keeps the outer CMS duration, not the ParNew one, and reads causes with nested parentheses', () => {
    const r = parseGc(
      '2016-04-14T22:30:09.108+0200: 1.053: [GC (Allocation Failure) 1.053: [ParNew: 218496K->25704K(245760K), 0.0145305 secs] 218496K->25704K(791936K), 0.0146984 secs] [Times: user=0.13 sys=0.00, real=0.01 secs]\n' +
        '2022-07-26T21:00:45.231+0800: 7.599: #2: [Full GC (System.gc()) [PSYoungGen: 98289K->0K(8257536K)] [ParOldGen: 32K->98112K(1048576K)] 98321K->98112K(9306112K), [Metaspace: 16471K->16471K(1064960K)], 0.6492397 secs]\n',
    );
    expect(r.events.map((e) => [e.kind, e.durationUs, e.cause])).toEqual([
      ['young', 14_698, 'Allocation Failure'],
      ['full', 649_240, 'System.gc()'],
    ]);
  });

  it('parses datestamp-only, uptime-only and stamp-less lines', () => {
    const dateOnly = parseGc('2016-04-14T22:30:09.108+0200: [GC (Allocation Failure) [PSYoungGen: 100K->10K(200K)] 100K->10K(400K), 0.0100000 secs]\n');
    expect(dateOnly.events[0]).toMatchObject({ timeConfidence: 'exact', uptimeUs: undefined });
    expect(iso(dateOnly.events[0]!.start)).toBe('2016-04-14T20:30:09.108Z');

    const uptimeOnly = parseGc('1.500: [GC (Allocation Failure) [PSYoungGen: 100K->10K(200K)] 100K->10K(400K), 0.0100000 secs]\n');
    expect(uptimeOnly.events[0]).toMatchObject({ uptimeUs: 1_500_000, timeConfidence: 'none', timeBasis: 'uptime' });
    expect(Number.isNaN(uptimeOnly.events[0]!.start)).toBe(true);
    expect(uptimeOnly.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^uptime only, not anchored/)]);

    const neither = parseGc('[GC (Allocation Failure) [PSYoungGen: 100K->10K(200K)] 100K->10K(400K), 0.0100000 secs]\n');
    expect(neither.events[0]).toMatchObject({ timeConfidence: 'none', timeBasis: 'none', durationUs: 10_000 });
    expect(neither.warnings[0]!.message).toMatch(/^no timestamps/);
  });

  it('reads decimal commas in uptime, durations and G1 detail sizes', () => {
    const r = parseGc(
      [
        '2015-02-16T18:06:57.285+0100: 366,174: Total time for which application threads were stopped: 0,0004130 seconds',
        '2015-02-16T18:07:07.778+0100: 376,667: [GC pause (G1 Evacuation Pause) (young)',
        'Desired survivor size 9437184 bytes, new threshold 15 (max 15)',
        '- age   1:    3960584 bytes,    3960584 total',
        ', 0,0387400 secs]',
        '   [Parallel Time: 30,5 ms, GC Workers: 4]',
        '   [Eden: 127,0M(127,0M)->0,0B(121,0M) Survivors: 16,0M->18,0M Heap: 211,4M(256,0M)->88,5M(256,0M)]',
        ' [Times: user=0,12 sys=0,00, real=0,04 secs]',
      ].join('\n'),
    );
    expect(r.events.map((e) => [e.eventClass, e.durationUs, e.uptimeUs])).toEqual([
      ['safepoint', 413, 366_173_587],
      ['pause', 38_740, 376_667_000],
    ]);
    const pause = r.events[1]!;
    expect(pause.heapBeforeBytes).toBe(Math.round(211.4 * 1024 ** 2));
    expect(pause.heapAfterBytes).toBe(Math.round(88.5 * 1024 ** 2));
    expect(pause.lineCount).toBe(7);
    // Stamped at the end: start = stamp − total.
    expect(iso(r.events[0]!.start)).toBe('2015-02-16T17:06:57.284Z');
  });

  it('takes G1 heap figures from the detail block after the duration and ignores ergonomics lines', () => {
    const r = parseGc(
      [
        '0.290: [GC pause (G1 Evacuation Pause) (young) (initial-mark) 0.290: [G1Ergonomics (CSet Construction) start choosing CSet, _pending_cards: 512, predicted base time: 2.55 ms, remaining time: 197.45 ms, target pause time: 200.00 ms]',
        ' 0.301: [G1Ergonomics (Heap Sizing) expand the heap, requested expansion amount: 6710886 bytes, attempted expansion amount: 7340032 bytes]',
        ', 0.0115587 secs]',
        '   [Parallel Time: 11.2 ms, GC Workers: 4]',
        '      [GC Worker Start (ms): Min: 289.9, Avg: 290.0, Max: 290.0, Diff: 0.0]',
        '   [Eden: 15.0M(15.0M)->0.0B(10.0M) Survivors: 2048.0K->3072.0K Heap: 71.1M(96.0M)->71.2M(103.0M)]',
        ' [Times: user=0.03 sys=0.03, real=0.02 secs] ',
        '0.303: [GC remark 0.303: [GC ref-proc, 0.0000700 secs], 0.0010462 secs]',
        '0.304: [GC cleanup 75M->25M(103M), 0.0004412 secs]',
        '6049.175: [GC pause (G1 Evacuation Pause) (mixed) (to-space exhausted), 3.1713585 secs]',
      ].join('\n'),
    );
    expect(r.events.map((e) => [e.kind, e.durationUs, e.flags ?? []])).toEqual([
      ['initial-mark', 11_559, []],
      ['remark', 1_046, []],
      ['cleanup', 441, []],
      ['mixed', 3_171_359, ['to-space-exhausted']],
    ]);
    expect(r.events[0]).toMatchObject({ heapBeforeBytes: Math.round(71.1 * 1024 ** 2), heapCommittedBytes: 103 * 1024 ** 2, lineCount: 7 });
    expect(r.events[2]).toMatchObject({ heapBeforeBytes: 75 * 1024 ** 2, heapAfterBytes: 25 * 1024 ** 2 });
  });

  it('cuts concurrent phases spliced into a pause out as concurrent events', () => {
    const r = parseGc(
      [
        '2015-05-01T11:26:29.687+0200: 160770.873: [GC pause (G1 Humongous Allocation) (young)2015-05-01T11:26:29.701+0200: 160770.887: [GC concurrent-root-region-scan-end, 0.0157002 secs]',
        '2015-05-01T11:26:29.701+0200: 160770.887: [GC concurrent-mark-start]',
        ', 0.0470136 secs]',
        '   [Eden: 16.0M(1552.0M)->0.0B(1536.0M) Survivors: 80.0M->96.0M Heap: 29.9G(32.0G)->29.9G(32.0G)]',
      ].join('\n'),
    );
    expect(r.events.map((e) => [e.eventClass, e.kind, e.durationUs])).toEqual([
      ['concurrent', 'concurrent-root-region-scan', 15_700],
      ['pause', 'young', 47_014],
    ]);
    expect(r.events[1]!.heapBeforeBytes).toBe(Math.round(29.9 * 1024 ** 3));
    expect(r.warnings).toEqual([]);
  });

  it('treats a ParNew promotion failure that ends in a CMS concurrent mode failure as one full pause', () => {
    const r = parseGc(
      [
        '2014-03-12T21:18:26.029-0500: 13295.637: [GC2014-03-12T21:18:26.029-0500: 13295.637: [ParNew (0: promotion failure size = 11863)  (promotion failed)',
        'Desired survivor size 208764928 bytes, new threshold 15 (max 15)',
        '- age   1:  187860912 bytes,  187860912 total',
        ': 6906246K->6819243K(6932288K), 2.7300470 secs]2014-03-12T21:18:28.759-0500: 13298.367: [CMS2014-03-12T21:18:31.372-0500: 13300.980: [CMS-concurrent-sweep: 16.244/20.725 secs] [Times: user=100.59 sys=4.74, real=20.72 secs]',
        ' (concurrent mode failure): 23591969K->23342845K(25165824K), 127.2159440 secs] 30431568K->23342845K(32098112K), [CMS Perm : 137329K->97298K(262912K)], 129.9468220 secs] [Times: user=131.28 sys=0.07, real=129.93 secs]',
      ].join('\n'),
    );
    expect(pauses(r.events)).toHaveLength(1);
    expect(pauses(r.events)[0]).toMatchObject({
      kind: 'full', durationUs: 129_946_822, flags: ['promotion-failed', 'concurrent-mode-failure'], lineCount: 5,
      heapBeforeBytes: 30431568 * 1024, heapAfterBytes: 23342845 * 1024,
    });
    expect(r.events.find((e) => e.eventClass === 'concurrent')).toMatchObject({ kind: 'concurrent-sweep', durationUs: 20_725_000 });
  });

  it('counts a DefNew promotion failure escalated to Tenured as one full pause', () => {
    const r = parseGc(
      '116.957: [GC (Allocation Failure) 116.957: [DefNew (promotion failed) : 229660K->235967K(235968K), 0.2897884 secs]117.247: [Tenured: 524288K->144069K(524288K), 0.3905008 secs] 674654K->144069K(760256K), [Metaspace: 65384K->65384K(1114112K)], 0.6804246 secs] [Times: user=0.68 sys=0.00, real=0.68 secs]\n',
    );
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ kind: 'full', durationUs: 680_425, flags: ['promotion-failed'] });
    expect(r.facts.gcCollector).toBe('Serial');
  });

  it('folds the young collection nested in a CMS remark (and skips PrintHeapAtGC blocks)', () => {
    const r = parseGc(
      [
        '2015-05-14T18:55:12.588+0200: 1.157: [GC (CMS Final Remark) [YG occupancy: 10451 K (47936 K)]{Heap before GC invocations=22 (full 13):',
        ' par new generation   total 47936K, used 10451K [0x00000000f6400000, 0x00000000f9800000, 0x00000000f9800000)',
        '  eden space 42624K,  12% used [0x00000000f6400000, 0x00000000f690c520, 0x00000000f8da0000)',
        ' Metaspace       used 2476K, capacity 4490K, committed 4864K, reserved 1056768K',
        '2015-05-14T18:55:12.588+0200: 1.158: [GC (CMS Final Remark) 1.158: [ParNew: 10451K->10451K(47936K), 0.0000303 secs] 111291K->111291K(154432K), 0.0000778 secs] [Times: user=0.00 sys=0.00, real=0.00 secs]',
        'Heap after GC invocations=23 (full 13):',
        ' par new generation   total 47936K, used 10451K [0x00000000f6400000, 0x00000000f9800000, 0x00000000f9800000)',
        '}',
        '1.158: [Rescan (parallel) , 0.0002732 secs]1.158: [weak refs processing, 0.0000176 secs][1 CMS-remark: 100839K(106496K)] 111291K(154432K), 0.0019970 secs] [Times: user=0.00 sys=0.00, real=0.00 secs]',
      ].join('\n'),
    );
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ kind: 'remark', durationUs: 1_997, flags: ['scavenge-before-remark'], lineCount: 9 });
    expect(r.warnings).toEqual([]);
  });

  it('reads PrintTenuringDistribution and PrintAdaptiveSizePolicy text inside events', () => {
    const r = parseGc(
      [
        '2015-03-04T09:13:59.445+0100: 55047,616: [GC (Allocation Failure)AdaptiveSizePolicy::compute_survivor_space_size_and_thresh:  survived: 1246904  promoted: 139280  overflow: falseAdaptiveSizeStart: 55047,624 collection: 21 ',
        '  avg_survived_padded_avg: 75561280,000000  avg_promoted_padded_avg: 10916049,000000',
        'Desired survivor size 76021760 bytes, new threshold 1 (max 15)',
        'AdaptiveSizePolicy::survivor space sizes: collection: 21 (79691776, 83886080) -> (79691776, 76021760)',
        'AdaptiveSizeStop: collection: 21',
        ' [PSYoungGen: 540800K->1217K(617472K)] 592910K->53464K(2015744K), 0,0082230 secs] [Times: user=0,02 sys=0,00, real=0,01 secs]',
      ].join('\n'),
    );
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ kind: 'young', cause: 'Allocation Failure', durationUs: 8_223, lineCount: 6, heapAfterBytes: 53464 * 1024 });
  });

  it('reads the Shenandoah 8u backport: logged start line, end line, degenerated cause, statistics ignored', () => {
    const r = parseGc(
      [
        '2022-08-17T16:20:47.685+0800: 2.469: [Pause Init Mark (process weakrefs), start]',
        '    Using 2 of 2 workers for init marking',
        '2022-08-17T16:20:47.688+0800: 2.472: [Pause Init Mark (process weakrefs), 3.341 ms]',
        '2022-08-17T16:20:48.555+0800: 3.338: [Concurrent marking (process weakrefs), 866.393 ms]',
        '    Cancelling GC: Allocation Failure',
        '2022-08-17T16:25:40.436+0800: 295.220: [Pause Degenerated GC (Update Refs) 3941M->1733M(3966M), 184.489 ms]',
        'Pause Degenerated GC (G)         185493 us',
        'Pause Init Mark (G)            =    3.489 s (a =     3924 us) (n =   889) (lvls, us =      521,     3418,     3555,     3730,    15037)',
      ].join('\n'),
    );
    expect(r.events.map((e) => [e.eventClass, e.kind, e.durationUs, e.timeBasis])).toEqual([
      ['pause', 'init-mark', 3_341, 'logged-start'],
      ['concurrent', 'concurrent-marking', 866_393, 'end-minus-duration'],
      ['pause', 'degenerated', 184_489, 'end-minus-duration'],
    ]);
    expect(iso(r.events[0]!.start)).toBe('2022-08-17T08:20:47.685Z');
    expect(r.events[2]).toMatchObject({ cause: 'Allocation Failure', flags: ['degenerated-at:Update Refs'], heapAfterBytes: 1733 * 1024 ** 2 });
    expect(r.facts.gcCollector).toBe('Shenandoah');
  });

  it('does not turn CMS concurrent phases into pauses (wall part of cpu/wall, stamped at the end)', () => {
    const r = parseGc(
      [
        '2016-04-14T22:30:12.888+0200: 4.832: [CMS-concurrent-mark-start]',
        '2016-04-14T22:30:12.935+0200: 4.879: [CMS-concurrent-mark: 0.044/0.047 secs] [Times: user=0.27 sys=0.02, real=0.05 secs]',
      ].join('\n'),
    );
    expect(r.events).toEqual([expect.objectContaining({ eventClass: 'concurrent', kind: 'concurrent-mark', durationUs: 47_000, uptimeUs: 4_832_000 })]);
  });

  it('warns about a uptime reset (JVM restart) and a wall clock stepping back, and keeps both events', () => {
    const r = parseGc(
      [
        '2015-07-13T20:53:00.436+0200: 100.260: [GC (Allocation Failure) [PSYoungGen: 100K->10K(200K)] 100K->10K(400K), 0.0100000 secs]',
        '2015-07-13T20:52:00.000+0200: 110.000: [GC (Allocation Failure) [PSYoungGen: 100K->10K(200K)] 100K->10K(400K), 0.0100000 secs]',
        '2015-07-13T21:00:00.000+0200: 0.500: [GC (Allocation Failure) [PSYoungGen: 100K->10K(200K)] 100K->10K(400K), 0.0100000 secs]',
      ].join('\n'),
    );
    expect(r.events).toHaveLength(3);
    expect(r.warnings.map((w) => [w.line, w.message.slice(0, 22)])).toEqual([
      [2, 'wall clock went back b'],
      [3, 'uptime went back from '],
    ]);
    expect(iso(r.events[1]!.start)).toBe('2015-07-13T18:52:00.000Z');
  });

  it('follows a DST change through the offset printed on each line', () => {
    const r = parseGc(
      [
        '2023-03-26T01:59:59.000+0100: 10.000: [GC (Allocation Failure) [PSYoungGen: 100K->10K(200K)] 100K->10K(400K), 0.0100000 secs]',
        '2023-03-26T03:00:01.000+0200: 12.000: [GC (Allocation Failure) [PSYoungGen: 100K->10K(200K)] 100K->10K(400K), 0.0100000 secs]',
      ].join('\n'),
    );
    expect(r.events.map((e) => iso(e.start))).toEqual(['2023-03-26T00:59:59.000Z', '2023-03-26T01:00:01.000Z']);
    expect(r.warnings).toEqual([]);
  });

  it('anchors uptime-only lines to the rotation header (estimated) and reads header facts', () => {
    const r = parseGc(
      [
        '2016-04-14 22:37:22 GC log file created logs/garbageCollection.log.1',
        'Java HotSpot(TM) 64-Bit Server VM (25.45-b02) for windows-amd64 JRE (1.8.0_45-b15), built on Apr 30 2015 12:40:44 by "java_re" with MS VC++ 10.0 (VS2010)',
        'CommandLine flags: -XX:MaxHeapSize=838860800 -XX:+UseConcMarkSweepGC -XX:+UseParNewGC',
        '436.981: [GC (Allocation Failure) 436.981: [ParNew: 224544K->9414K(245760K), 0.0053560 secs] 380117K->165822K(791936K), 0.0055366 secs]',
        '446.981: [GC (Allocation Failure) 446.981: [ParNew: 224544K->9414K(245760K), 0.0053560 secs] 380117K->165822K(791936K), 0.0055366 secs]',
      ].join('\n'),
      'tm-1/gc.log.1',
      'Europe/Berlin',
    );
    expect(r.events.map((e) => [iso(e.start), e.timeConfidence, e.timeBasis])).toEqual([
      ['2016-04-14T20:37:22.000Z', 'estimated', 'uptime+anchor:rotation-header'],
      ['2016-04-14T20:37:32.000Z', 'estimated', 'uptime+anchor:rotation-header'],
    ]);
    expect(r.facts).toMatchObject({ gcCollector: 'CMS', maxHeapMiB: 800, jvm: 'Java HotSpot(TM) 64-Bit Server VM 1.8.0_45-b15', timeConfidence: 'estimated' });
    expect(r.warnings).toEqual([]);
  });

  it('anchors uptime-only lines to a %t time in the file name', () => {
    const r = parseGc('2.500: [GC (Allocation Failure) [PSYoungGen: 100K->10K(200K)] 100K->10K(400K), 0.0100000 secs]\n', 'bundle/tm-3/gc-2023-06-14_09-12-40.log.0.current');
    expect(r.events[0]).toMatchObject({ timeConfidence: 'estimated', timeBasis: 'uptime+anchor:file-name' });
    expect(iso(r.events[0]!.start)).toBe('2023-06-14T09:12:42.500Z');
  });

  it('survives torn lines, a truncated last event and CRLF line ends', () => {
    const r = parseGc(
      [
        '2015-02-16T18:06:57.285+0100: 366,174: cation threads were stopped: 0,0002170 seconds',
        '2014-06-16T0,959: [GC',
        '2016-04-14T22:30:09.108+0200: 1.053: [GC (Allocation Failure) 1.053: [ParNew: 218496K->25704K(245760K), 0.0145305 secs] 218496K->25704K(791936K), 0.0146984 secs]',
        '2016-04-14T22:30:10.108+0200: 2.053: [GC (Allocation Failure) 2.053: [ParNew: 218496K->25704K(245760K), 0.01',
      ].join('\r\n'),
    );
    expect(pauses(r.events)).toHaveLength(1);
    expect(r.warnings.length).toBeGreaterThanOrEqual(2);
    expect(r.warnings.some((w) => w.line === 1 && /unrecognised/.test(w.message))).toBe(true);
    expect(r.warnings.some((w) => w.line === 4 && /never got its duration/.test(w.message))).toBe(true);
  });

  it('keeps values above 2^31 KB exact', () => {
    const r = parseGc('1.000: [Full GC (System.gc()) [PSYoungGen: 0K->0K(1K)] [ParOldGen: 1K->1K(1K)] 3221225472K->2147483649K(4294967296K), 1.0000000 secs]\n', 'gc-2023-06-14_09-12-40.log');
    expect(r.events[0]).toMatchObject({ heapBeforeBytes: 3221225472 * 1024, heapAfterBytes: 2147483649 * 1024, heapCommittedBytes: 4294967296 * 1024 });
  });

  it('sets the line index time on stamped lines and marks continuation lines', () => {
    const r = parseGc(['0.290: [GC pause (G1 Evacuation Pause) (young)', 'Desired survivor size 1342177280 bytes', ', 16.7578613 secs]', '   [Parallel Time: 16638.4 ms, GC Workers: 18]'].join('\n'), 'gc-2023-06-14_09-12-40.log');
    expect(r.lineTs[0]).toBe(Date.UTC(2023, 5, 14, 9, 12, 40, 290) * 1000);
    expect(r.continuation).toEqual([false, true, true, true]);
  });
});
