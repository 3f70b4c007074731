import type { FlameFrame } from '../../model/records.js';

/**
 * flamegraph.pl / async-profiler annotation suffixes (flame-formats §1.1). They only drive colour in the
 * producers, so they are stripped from the name and kept as the frame type.
 */
const SUFFIX_TYPES: Readonly<Record<string, string>> = {
  k: 'kernel',
  j: 'jit',
  i: 'inlined',
  w: 'waker',
  '0': 'interpreted',
  '1': 'c1',
};

/** Splits a collapsed-stack frame into name and type: 'Foo.bar_[j]' → {name: 'Foo.bar', type: 'jit'}. */
export function frameFromAnnotated(text: string): FlameFrame {
  const n = text.length;
  if (n > 4 && text.charCodeAt(n - 1) === 0x5d /* ] */ && text.charCodeAt(n - 3) === 0x5b /* [ */ && text.charCodeAt(n - 4) === 0x5f /* _ */) {
    const type = SUFFIX_TYPES[text[n - 2]!];
    if (type !== undefined) return { name: text.slice(0, n - 4), type };
  }
  return { name: text };
}

/** async-profiler's FrameTypeId enum (2.7+ HTML, 3.x+ cpool keys): the low 3 bits of a frame key. */
export const ASYNC_PROFILER_FRAME_TYPES = ['interpreted', 'jit', 'inlined', 'native', 'cpp', 'kernel', 'c1'] as const;

/** async-profiler 2.0–2.6 HTML type ids, a name heuristic: 0 Java compiled, 1 inlined, 2 kernel, 3 C++, 4 native. */
export const ASYNC_PROFILER_LEGACY_FRAME_TYPES = ['jit', 'inlined', 'kernel', 'cpp', 'native'] as const;

/** JFR jdk.types.FrameType descriptions → frame type. */
export function frameTypeFromJfr(description: string | undefined): string | undefined {
  switch (description) {
    case 'Interpreted':
      return 'interpreted';
    case 'JIT compiled':
      return 'jit';
    case 'Inlined':
      return 'inlined';
    case 'Native':
      return 'native';
    case 'C++':
      return 'cpp';
    case 'Kernel':
      return 'kernel';
    case 'C1 compiled':
      return 'c1';
    case undefined:
      return undefined;
    default:
      return description.toLowerCase();
  }
}
