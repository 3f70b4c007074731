import type { EpochMicros } from '../../common/time.js';
import type { FlameFrame, FlameProfileRecord } from '../../model/records.js';

type Stack = FlameProfileRecord['stacks'][number];
type Sample = NonNullable<FlameProfileRecord['samples']>[number];

/**
 * Interns stacks so every importer emits each distinct (thread, frames) pair once with its summed weight:
 * collapsed files repeat lines, JFR repeats stack-trace ids, and the store keys samples by stack index.
 */
export class StackTable {
  readonly stacks: Stack[] = [];
  readonly samples: Sample[] = [];
  private readonly index = new Map<string, number>();
  private readonly frameIds = new Map<string, number>();
  // A Map, not a WeakMap: ephemeron tables make every young-generation GC slow, and stacks keep the frames anyway.
  private readonly objectIds = new Map<FlameFrame, number>();

  /** Adds weight to the stack (creating it when new) and returns its index. */
  add(frames: readonly FlameFrame[], weight: number, thread?: string): number {
    let key = thread ?? '';
    for (const frame of frames) key += `,${this.frameId(frame)}`;
    let at = this.index.get(key);
    if (at === undefined) {
      at = this.stacks.length;
      this.index.set(key, at);
      const stack: Stack = { frames: [...frames], weight: 0 };
      if (thread !== undefined) stack.thread = thread;
      this.stacks.push(stack);
    }
    this.stacks[at]!.weight += weight;
    return at;
  }

  /** Adds a timestamped sample (and its weight to the stack). */
  addSample(frames: readonly FlameFrame[], weight: number, ts: EpochMicros, thread?: string): void {
    const stack = this.add(frames, weight, thread);
    this.samples.push({ ts, stack, weight });
  }

  /** Adds a sample to a stack already returned by `add`. */
  addToStack(stack: number, weight: number, ts: EpochMicros): void {
    this.stacks[stack]!.weight += weight;
    this.samples.push({ ts, stack, weight });
  }

  /** Small ids keep stack keys short: deep JVM stacks would otherwise make keys of many kilobytes. */
  private frameId(frame: FlameFrame): number {
    let id = this.objectIds.get(frame);
    if (id === undefined) {
      const key = `${frame.type ?? ''}\u0000${frame.name}`;
      id = this.frameIds.get(key);
      if (id === undefined) {
        id = this.frameIds.size;
        this.frameIds.set(key, id);
      }
      this.objectIds.set(frame, id);
    }
    return id;
  }
}
