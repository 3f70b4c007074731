import { describe, expect, it } from 'vitest';
import { detect } from '../../../src-main/core/detect/detect.js';

describe('detection regressions', () => {
  it('collapsed stacks of JVM GC threads are a flame graph, not a JDK 8 GC log', () => {
    const head = Buffer.from(
      [
        '[GC Thread#0 tid=4600];thread_native_entry(Thread*);Thread::call_run();GangWorker::loop();G1ParTask::work(unsigned int);G1ParEvacuateFollowersClosure::do_void() 812',
        '[GC Thread#1 tid=4601];thread_native_entry(Thread*);Thread::call_run();GangWorker::loop();G1ParTask::work(unsigned int) 97',
        '[Source: orders (2/4)#0 tid=4707];java/lang/Thread.run_[j];org/apache/flink/runtime/taskmanager/Task.run_[j] 3021',
      ].join('\n') + '\n',
    );
    expect(detect('tm-2-20230614-090640.collapsed', head)).toMatchObject({ kind: 'flame', format: 'collapsed' });
  });
});
