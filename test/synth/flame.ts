import type { Cluster, TaskManager } from './model.js';
import { tmTaskName } from './model.js';
import type { Plan } from './plan.js';
import type { Prng } from './prng.js';

/**
 * async-profiler collapsed stacks (flame-formats.md §1.1) of the GC-heavy TaskManager: root→leaf frames joined by
 * `;`, thread frames like `[Sink: Unnamed (2/4)#0 tid=4711]`, `_[j]`/`_[k]` annotations, a sample count last.
 * Under GC pressure the G1 worker threads take most samples and the task threads sit in buffer requests.
 */
export function flameFileName(tm: TaskManager, ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `flame/${tm.host}-${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}.collapsed`;
}

export function collapsedProfile(plan: Plan, cluster: Cluster, tm: TaskManager, ms: number, rng: Prng): string {
  const pressure = plan.pressureAt(ms);
  const attempt = [...plan.deployments].reverse().find((d) => d.deployMs <= ms)?.attempt ?? 0;
  const lines: string[] = [];
  const taskBase = 'java/lang/Thread.run_[j];org/apache/flink/runtime/taskmanager/Task.run_[j];org/apache/flink/runtime/taskmanager/Task.doRun_[j];' +
    'org/apache/flink/streaming/runtime/tasks/StreamTask.invoke_[j];org/apache/flink/streaming/runtime/tasks/mailbox/MailboxProcessor.runMailboxLoop_[j]';
  let tid = 4700;
  for (const subtask of cluster.subtasks.filter((s) => s.tm === tm)) {
    const thread = `[${tmTaskName(cluster, subtask, attempt)} tid=${(tid += 7)}]`;
    const busy = Math.round(rng.int(200, 400) * (1 - 0.5 * pressure));
    const work = subtask.vertex.index === 0
      ? 'org/apache/flink/streaming/api/operators/StreamSource.run_[j];org/apache/kafka/clients/consumer/KafkaConsumer.poll_[j];sun/nio/ch/EPollSelectorImpl.doSelect_[j];epoll_wait;entry_SYSCALL_64_after_hwframe_[k]'
      : subtask.vertex.state === 'keyed'
        ? 'org/apache/flink/streaming/runtime/operators/windowing/WindowOperator.processElement_[j];org/apache/flink/contrib/streaming/state/RocksDBAggregatingState.add_[j];org/rocksdb/RocksDB.put;rocksdb::DBImpl::Write'
        : 'org/apache/flink/streaming/api/operators/StreamMap.processElement_[j];com/example/orders/EnrichmentFunction.map_[j];java/util/HashMap.get_[j]';
    lines.push(`${thread};${taskBase};${work} ${busy}`);
    const blocked = Math.round(rng.int(500, 900) * pressure);
    if (blocked > 0) {
      lines.push(`${thread};${taskBase};org/apache/flink/runtime/io/network/api/writer/RecordWriter.emit_[j];org/apache/flink/runtime/io/network/buffer/LocalBufferPool.requestMemorySegmentBlocking_[j];java/util/concurrent/CompletableFuture.get_[j];__pthread_cond_wait ${blocked}`);
    }
  }
  for (let worker = 0; worker < 2; worker += 1) {
    const gcThread = `[GC Thread#${worker} tid=${4600 + worker}]`;
    const base = `${gcThread};thread_native_entry(Thread*);Thread::call_run();GangWorker::loop();G1ParTask::work(unsigned int)`;
    lines.push(`${base};G1ParEvacuateFollowersClosure::do_void();G1ParScanThreadState::trim_queue() ${Math.round(rng.int(20, 60) + 1800 * pressure)}`);
    lines.push(`${base};G1RootProcessor::evacuate_roots(G1ParScanThreadState*, unsigned int);G1CodeBlobClosure::do_code_blob(CodeBlob*) ${Math.round(rng.int(5, 15) + 300 * pressure)}`);
  }
  if (pressure > 0.5) {
    lines.push(`[VM Thread tid=4590];thread_native_entry(Thread*);Thread::call_run();VMThread::run();VMThread::loop();VM_G1CollectFull::doit();G1CollectedHeap::do_full_collection(bool, bool);G1FullCollector::phase1_mark_live_objects() ${rng.int(600, 1200)}`);
  }
  return `${lines.join('\n')}\n`;
}
