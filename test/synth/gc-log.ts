import { formatGcTime } from './layout.js';
import type { TaskManager } from './model.js';
import type { GcPause } from './plan.js';
import { Prng } from './prng.js';
import { FileSink } from './sink.js';
import type { VersionProfile } from './versions.js';

/**
 * GC logs of one TaskManager JVM (gc-formats.md §1): JDK 8 `-XX:+PrintGCDetails -XX:+PrintGCDateStamps` G1 for
 * Flink 1.10, JDK 11/17 unified logging `-Xlog:gc*:file=…:time,uptime,level,tags` G1 for the later lines. Times
 * derive from the same JVM start as the Flink banner, so pauses line up with the TM log.
 */
const REGION_MB = 2;
const HEAP_MB = 4096;

export async function writeGcLog(path: string, profile: VersionProfile, tm: TaskManager, pauses: GcPause[], seed: number): Promise<{ bytes: number; lines: number }> {
  const rng = Prng.derive(seed, `gc:${profile.line}:${tm.host}`);
  const sink = new FileSink(path);
  const writer = profile.jdkMajor === 8 ? new Jdk8G1Writer(tm, rng) : new UnifiedG1Writer(tm, rng, profile);
  let lines = 0;
  for (const text of writer.preamble()) {
    lines += 1;
    sink.add(`${text}\n`);
  }
  const ordered = [...pauses].sort((a, b) => a.startMs - b.startMs);
  ordered.forEach((pause, gcId) => {
    for (const text of writer.pause(pause, gcId)) {
      lines += 1;
      sink.add(`${text}\n`);
    }
  });
  await sink.close();
  return { bytes: sink.bytes, lines };
}

interface GcWriter {
  preamble(): string[];
  pause(pause: GcPause, gcId: number): string[];
}

const fixed = (n: number, digits: number): string => n.toFixed(digits);

class Jdk8G1Writer implements GcWriter {
  constructor(private readonly tm: TaskManager, private readonly rng: Prng) {}

  preamble(): string[] {
    return [
      'OpenJDK 64-Bit Server VM (25.292-b10) for linux-amd64 JRE (1.8.0_292-b10), built on Apr 21 2021 10:55:31 by "jenkins" with gcc 7.3.0',
      'Memory: 4k page, physical 8145864k(2153048k free), swap 0k(0k free)',
      `CommandLine flags: -XX:InitialHeapSize=${HEAP_MB * 1048576} -XX:MaxDirectMemorySize=493921243 -XX:MaxHeapSize=${HEAP_MB * 1048576} -XX:MaxMetaspaceSize=268435456 -XX:+PrintGC -XX:+PrintGCDateStamps -XX:+PrintGCDetails -XX:+UseCompressedClassPointers -XX:+UseCompressedOops -XX:+UseG1GC `,
    ];
  }

  pause(pause: GcPause, _gcId: number): string[] {
    const rng = this.rng;
    const prefix = `${formatGcTime(pause.startMs)}: `;
    const secs = fixed(pause.durationMs / 1000, 7);
    const real = fixed(Math.max(0.01, Math.round(pause.durationMs / 10) / 100), 2);
    const user = fixed((pause.durationMs / 1000) * rng.float(1.6, 1.95), 2);
    if (pause.kind === 'full') {
      return [
        `${prefix}[Full GC (${pause.cause})  ${pause.heapBeforeMb}M->${pause.heapAfterMb}M(${HEAP_MB}M), ${secs} secs]`,
        `   [Eden: 0.0B(204.0M)->0.0B(204.0M) Survivors: 0.0B->0.0B Heap: ${fixed(pause.heapBeforeMb + rng.float(0, 0.9), 1)}M(${HEAP_MB}.0M)->${fixed(pause.heapAfterMb + rng.float(0, 0.9), 1)}M(${HEAP_MB}.0M)], [Metaspace: 61234K->61234K(1105920K)]`,
        ` [Times: user=${user} sys=${fixed(rng.float(0.01, 0.2), 2)}, real=${real} secs] `,
      ];
    }
    const uptimeMs = pause.startMs - this.tm.jvmStartMs;
    const kind = pause.kind === 'mixed' ? 'mixed' : 'young';
    const parallel = pause.durationMs * 0.9;
    const stat = (avg: number): string => `Min: ${fixed(avg * 0.9, 1)}, Avg: ${fixed(avg, 1)}, Max: ${fixed(avg * 1.1, 1)}, Diff: ${fixed(avg * 0.2, 1)}, Sum: ${fixed(avg * 2, 1)}`;
    const eden = rng.int(150, 400) * REGION_MB;
    return [
      `${prefix}[GC pause (${pause.cause}) (${kind})${pause.toSpaceExhausted ? ' (to-space exhausted)' : ''}, ${secs} secs]`,
      `   [Parallel Time: ${fixed(parallel, 1)} ms, GC Workers: 2]`,
      `      [GC Worker Start (ms): Min: ${fixed(uptimeMs, 1)}, Avg: ${fixed(uptimeMs, 1)}, Max: ${fixed(uptimeMs + 0.1, 1)}, Diff: 0.1]`,
      `      [Ext Root Scanning (ms): ${stat(parallel * 0.05)}]`,
      `      [Update RS (ms): ${stat(parallel * 0.08)}]`,
      `         [Processed Buffers: Min: ${rng.int(5, 20)}, Avg: ${fixed(rng.float(10, 30), 1)}, Max: ${rng.int(30, 60)}, Diff: ${rng.int(5, 30)}, Sum: ${rng.int(40, 90)}]`,
      `      [Scan RS (ms): ${stat(parallel * 0.04)}]`,
      `      [Code Root Scanning (ms): Min: 0.0, Avg: 0.0, Max: 0.0, Diff: 0.0, Sum: 0.0]`,
      `      [Object Copy (ms): ${stat(parallel * 0.8)}]`,
      `      [Termination (ms): ${stat(parallel * 0.02)}]`,
      `         [Termination Attempts: Min: 1, Avg: 1.0, Max: 1, Diff: 0, Sum: 2]`,
      `      [GC Worker Other (ms): Min: 0.0, Avg: 0.0, Max: 0.1, Diff: 0.1, Sum: 0.1]`,
      `      [GC Worker Total (ms): ${stat(parallel * 0.99)}]`,
      `      [GC Worker End (ms): Min: ${fixed(uptimeMs + parallel, 1)}, Avg: ${fixed(uptimeMs + parallel, 1)}, Max: ${fixed(uptimeMs + parallel, 1)}, Diff: 0.0]`,
      '   [Code Root Fixup: 0.0 ms]',
      '   [Code Root Purge: 0.0 ms]',
      `   [Clear CT: ${fixed(rng.float(0.1, 0.6), 1)} ms]`,
      `   [Other: ${fixed(pause.durationMs * 0.1, 1)} ms]`,
      '      [Choose CSet: 0.0 ms]',
      `      [Ref Proc: ${fixed(pause.durationMs * 0.05, 1)} ms]`,
      '      [Ref Enq: 0.0 ms]',
      '      [Redirty Cards: 0.1 ms]',
      '      [Humongous Register: 0.0 ms]',
      '      [Humongous Reclaim: 0.0 ms]',
      '      [Free CSet: 0.2 ms]',
      `   [Eden: ${eden}.0M(${eden}.0M)->0.0B(${eden}.0M) Survivors: ${rng.int(4, 24)}.0M->${rng.int(4, 24)}.0M Heap: ${fixed(pause.heapBeforeMb + rng.float(0, 0.9), 1)}M(${HEAP_MB}.0M)->${fixed(pause.heapAfterMb + rng.float(0, 0.9), 1)}M(${HEAP_MB}.0M)]`,
      ` [Times: user=${user} sys=${fixed(rng.float(0, 0.05), 2)}, real=${real} secs] `,
    ];
  }
}

class UnifiedG1Writer implements GcWriter {
  /** UL pads the tag set to the longest one printed so far, so the column widens over the file. */
  private tagWidth = 0;

  constructor(private readonly tm: TaskManager, private readonly rng: Prng, private readonly profile: VersionProfile) {}

  private line(ms: number, tags: string, message: string): string {
    this.tagWidth = Math.max(this.tagWidth, tags.length);
    const uptime = fixed(Math.max(0, ms - this.tm.jvmStartMs) / 1000, 3);
    return `[${formatGcTime(ms)}][${uptime}s][info][${tags.padEnd(this.tagWidth)}] ${message}`;
  }

  preamble(): string[] {
    const t = this.tm.jvmStartMs;
    if (this.profile.jdkMajor >= 17) {
      return [
        this.line(t + 5, 'gc', 'Using G1'),
        this.line(t + 6, 'gc,init', 'Version: 17.0.12+7 (release)'),
        this.line(t + 6, 'gc,init', 'CPUs: 2 total, 2 available'),
        this.line(t + 6, 'gc,init', 'Memory: 7953M'),
        this.line(t + 6, 'gc,init', 'Large Page Support: Disabled'),
        this.line(t + 6, 'gc,init', 'NUMA Support: Disabled'),
        this.line(t + 6, 'gc,init', 'Compressed Oops: Enabled (Zero based)'),
        this.line(t + 6, 'gc,init', `Heap Region Size: ${REGION_MB}M`),
        this.line(t + 6, 'gc,init', 'Heap Min Capacity: 4G'),
        this.line(t + 6, 'gc,init', 'Heap Initial Capacity: 4G'),
        this.line(t + 6, 'gc,init', 'Heap Max Capacity: 4G'),
        this.line(t + 6, 'gc,init', 'Pre-touch: Disabled'),
        this.line(t + 6, 'gc,init', 'Parallel Workers: 2'),
        this.line(t + 6, 'gc,init', 'Concurrent Workers: 1'),
        this.line(t + 6, 'gc,init', 'Concurrent Refinement Workers: 2'),
        this.line(t + 6, 'gc,init', 'Periodic GC: Disabled'),
        this.line(t + 9, 'gc,metaspace', 'CDS archive(s) mapped at: [0x0000000800000000-0x0000000800bd4000-0x0000000800bd4000), size 12402688, SharedBaseAddress: 0x0000000800000000, ArchiveRelocationMode: 0.'),
        this.line(t + 9, 'gc,metaspace', 'Compressed class space mapped at: 0x0000000800c00000-0x0000000840c00000, reserved size: 1073741824'),
        this.line(t + 9, 'gc,metaspace', 'Narrow klass base: 0x0000000800000000, Narrow klass shift: 0, Narrow klass range: 0x100000000'),
      ];
    }
    return [
      this.line(t + 4, 'gc,heap', `Heap region size: ${REGION_MB}M`),
      this.line(t + 7, 'gc', 'Using G1'),
      this.line(t + 7, 'gc,heap,coops', `Heap address: 0x0000000700000000, size: ${HEAP_MB} MB, Compressed Oops mode: Zero based, Oop shift amount: 3`),
    ];
  }

  pause(pause: GcPause, gcId: number): string[] {
    const rng = this.rng;
    const start = pause.startMs;
    const end = pause.startMs + pause.durationMs;
    const id = `GC(${gcId})`;
    const ms = (n: number): string => `${fixed(n, 3)}ms`;
    const metaspace = this.profile.jdkMajor >= 17
      ? 'Metaspace: 61234K(62080K)->61234K(62080K) NonClass: 53910K(54272K)->53910K(54272K) Class: 7324K(7808K)->7324K(7808K)'
      : 'Metaspace: 61234K->61234K(1105920K)';
    const seconds = (n: number): string => fixed(n / 1000, 2);
    const cpu = this.line(end, 'gc,cpu', `${id} User=${seconds(pause.durationMs * rng.float(1.6, 1.95))}s Sys=${seconds(rng.float(0, 30))}s Real=${seconds(pause.durationMs)}s`);
    const oldBefore = Math.round((pause.heapBeforeMb * 0.7) / REGION_MB);
    if (pause.kind === 'full') {
      const cause = `Pause Full (${pause.cause})`;
      const phases = ['Phase 1: Mark live objects', 'Phase 2: Prepare for compaction', 'Phase 3: Adjust pointers', 'Phase 4: Compact heap'];
      const shares = [0.45, 0.15, 0.15, 0.25];
      const lines = [this.line(start, 'gc,start', `${id} ${cause}`), this.line(start, 'gc,task', `${id} Using 2 workers of 2 for full compaction`)];
      let t = start;
      phases.forEach((phase, i) => {
        lines.push(this.line(t, 'gc,phases,start', `${id} ${phase}`));
        t += pause.durationMs * shares[i];
        lines.push(this.line(Math.min(end, t), 'gc,phases', `${id} ${phase} ${ms(pause.durationMs * shares[i])}`));
      });
      lines.push(
        this.line(end, 'gc,heap', `${id} Eden regions: 0->0(102)`),
        this.line(end, 'gc,heap', `${id} Survivor regions: 0->0(13)`),
        this.line(end, 'gc,heap', `${id} Old regions: ${oldBefore}->${Math.round(pause.heapAfterMb / REGION_MB)}`),
        this.line(end, 'gc,heap', `${id} Humongous regions: ${rng.int(2, 9)}->${rng.int(0, 2)}`),
        this.line(end, 'gc,metaspace', `${id} ${metaspace}`),
        this.line(end, 'gc', `${id} ${cause} ${pause.heapBeforeMb}M->${pause.heapAfterMb}M(${HEAP_MB}M) ${ms(pause.durationMs)}`),
        cpu,
      );
      return lines;
    }
    const name = `Pause Young (${pause.kind === 'mixed' ? 'Mixed' : 'Normal'}) (${pause.cause})`;
    const eden = rng.int(90, 200);
    const lines = [
      this.line(start, 'gc,start', `${id} ${name}`),
      this.line(start, 'gc,task', `${id} Using 2 workers of 2 for evacuation`),
    ];
    if (pause.toSpaceExhausted) lines.push(this.line(end - 1, 'gc', `${id} To-space exhausted`));
    lines.push(
      this.line(end, 'gc,phases', `${id}   Pre Evacuate Collection Set: ${fixed(rng.float(0, 0.3), 1)}ms`),
      this.line(end, 'gc,phases', `${id}   Evacuate Collection Set: ${fixed(pause.durationMs * 0.88, 1)}ms`),
      this.line(end, 'gc,phases', `${id}   Post Evacuate Collection Set: ${fixed(pause.durationMs * 0.08, 1)}ms`),
      this.line(end, 'gc,phases', `${id}   Other: ${fixed(pause.durationMs * 0.04, 1)}ms`),
      this.line(end, 'gc,heap', `${id} Eden regions: ${eden}->0(${eden})`),
      this.line(end, 'gc,heap', `${id} Survivor regions: ${rng.int(2, 10)}->${rng.int(2, 10)}(26)`),
      this.line(end, 'gc,heap', `${id} Old regions: ${oldBefore}->${oldBefore + rng.int(0, 20)}`),
      this.line(end, 'gc,heap', `${id} Humongous regions: ${rng.int(0, 4)}->${rng.int(0, 4)}`),
      this.line(end, 'gc,metaspace', `${id} ${metaspace}`),
      this.line(end, 'gc', `${id} ${name} ${pause.heapBeforeMb}M->${pause.heapAfterMb}M(${HEAP_MB}M) ${ms(pause.durationMs)}`),
      cpu,
    );
    return lines;
  }
}
