import { afterEach, describe, expect, it } from 'vitest';
import { checkpointAnatomy } from '../../../../src-main/core/analysis/findings/rules/checkpoint-anatomy.js';
import { coverage } from '../../../../src-main/core/analysis/findings/rules/coverage.js';
import { byRule, healthyJob, IncidentBuilder, VERTICES } from './builder.js';

let b: IncidentBuilder;
afterEach(() => b.close());

/** Checkpoints 1–10 complete; 11 (triggered at 700 s) expires at 1300 s; Map -> Filter (2/4) on tm-2 acknowledges late. */
function expiredWithLateAck(builder: IncidentBuilder): void {
  healthyJob(builder, 10);
  builder.expired(11, 700);
  builder.late(11, 'Map -> Filter', 1, 1310, 'tm-2');
}

describe('checkpoint anatomy', () => {
  it('names the straggler, its TaskManager and the GC pause inside the barrier window', () => {
    b = new IncidentBuilder();
    expiredWithLateAck(b);
    const gcId = b.gcPause('tm-2', 1000, 14_200, { kind: 'full' });
    const [f] = byRule(b.finish().findings([checkpointAnatomy]), 'checkpoint.anatomy');
    expect(f).toBeDefined();
    expect(f!.severity).toBe('error');
    expect(f!.checkpointId).toBe(11);
    expect(f!.tm).toBe('tm-2');
    expect(f!.title).toBe('Checkpoint 11 expired after 10 min: Map -> Filter (2/4) on tm-2 acknowledged late');
    expect(f!.explanation).toContain('tm-2 was in a 14.2 s full GC starting 10:16:40, inside the barrier window');
    expect(f!.evidence).toContainEqual(expect.objectContaining({ type: 'gc', id: gcId }));
    expect(f!.evidence).toContainEqual(expect.objectContaining({ type: 'subtask', key: expect.stringMatching(/\/11\/name:Map -> Filter\/1$/) }));
    expect(f!.evidence.some((e) => e.type === 'event' && e.sourceId !== undefined && e.line !== undefined)).toBe(true);
  });

  it('says honestly that the phase split is unknown without DEBUG lines or REST details', () => {
    b = new IncidentBuilder();
    expiredWithLateAck(b);
    const [f] = byRule(b.finish().findings([checkpointAnatomy]), 'checkpoint.anatomy');
    expect(f!.explanation).toContain('Which phase held it up (start delay, alignment, sync or async) is unknown');
    expect(f!.missing.join(' ')).toContain('logger.cptasks.name = org.apache.flink.streaming.runtime.tasks');
    expect(f!.missing.join(' ')).toContain('No GC log for tm-2');
    expect(f!.missing.join(' ')).toContain('/checkpoints/details/');
  });

  it('infers that the barrier never arrived when the straggler TaskManager logs DEBUG but not for that subtask', () => {
    b = new IncidentBuilder();
    expiredWithLateAck(b);
    b.tmDebug('tm-2', 'barrier.received', 11, 'Source: orders', 1, 700.1);
    b.tmDebug('tm-2', 'subtask.sync-done', 11, 'Source: orders', 1, 700.2, { alignmentMs: 0, syncMs: 3 });
    const [f] = byRule(b.finish().findings([checkpointAnatomy]), 'checkpoint.anatomy');
    expect(f!.explanation).toContain('Map -> Filter (2/4) logged no barrier for checkpoint 11');
    expect(f!.explanation).toContain('backpressure or a slow upstream');
  });

  it('with DEBUG acknowledgements on the JobManager, names the deployed subtasks that never acknowledged', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    b.expired(11, 700);
    for (const v of VERTICES) {
      for (let s = 0; s < 4; s++) {
        if (v === 'Sink: Unnamed' && s === 3) continue;
        b.event(b.jm(), { sec: 702, kind: 'checkpoint.ack', checkpointId: 11, attempt: b.attempt(v, s), level: 2 });
      }
    }
    const [f] = byRule(b.finish().findings([checkpointAnatomy]), 'checkpoint.anatomy');
    expect(f!.title).toBe('Checkpoint 11 expired after 10 min: Sink: Unnamed (4/4) on tm-2 never acknowledged');
    expect(f!.explanation).not.toContain('(2/4) on tm-2 never acknowledged');
  });

  it('uses measured phases from REST: a dominant async phase is the state upload', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    b.vertex('bbbb0000000000000000000000000002', 'Map -> Filter', 4);
    b.expired(11, 700);
    b.restSubtask(11, 'bbbb0000000000000000000000000002', 0, { completed: true, ackSec: 703, endToEndMs: 3000, syncMs: 5, asyncMs: 2900 });
    b.restSubtask(11, 'bbbb0000000000000000000000000002', 3, { completed: false });
    b.restSubtask(11, 'bbbb0000000000000000000000000002', 2, { completed: true, ackSec: 1250, endToEndMs: 550_000, syncMs: 20, asyncMs: 549_000, startDelayMs: 10, stateSize: 3 * 1024 ** 3 });
    const [f] = byRule(b.finish().findings([checkpointAnatomy]), 'checkpoint.anatomy');
    expect(f!.title).toContain('Map -> Filter (4/4)');
    expect(f!.title).toContain('never acknowledged');
  });

  it('says a straggler without REST timings has no phase unless its TaskManager logs DEBUG, and how to turn DEBUG on', () => {
    b = new IncidentBuilder();
    healthyJob(b, 10);
    b.vertex('bbbb0000000000000000000000000002', 'Map -> Filter', 4);
    b.expired(11, 700);
    b.restSubtask(11, 'bbbb0000000000000000000000000002', 0, { completed: true, ackSec: 703, endToEndMs: 3000, syncMs: 5, asyncMs: 2900 });
    b.restSubtask(11, 'bbbb0000000000000000000000000002', 3, { completed: false });
    const found = b.finish().findings([checkpointAnatomy, coverage]);
    const [f] = byRule(found, 'checkpoint.anatomy');
    expect(f!.explanation).toContain('Which phase held Map -> Filter (4/4) up (start delay, alignment, sync or async) is unknown: it never acknowledged, so the REST statistics have no timings for it');
    expect(f!.missing.join(' ')).toContain('logger.cptasks.level = DEBUG');
    const [gap] = byRule(found, 'coverage.no-phase-debug');
    expect(gap!.title).toBe('No DEBUG checkpoint phase lines from tm-2, where Map -> Filter (4/4) held up checkpoint 11');
    expect(gap!.severity).toBe('info');
  });

  it('explains a declined checkpoint with the decline reason', () => {
    b = new IncidentBuilder();
    healthyJob(b, 5);
    b.declined(6, 400, 402, 'Window(TumblingEventTimeWindows(60000), EventTimeTrigger, Agg)', 2, 'tm-1', 'Could not materialize checkpoint 6 for operator Window (3/4).');
    const [f] = byRule(b.finish().findings([checkpointAnatomy]), 'checkpoint.anatomy');
    expect(f!.title).toMatch(/^Checkpoint 6 was declined after 2\.0 s: Window\(.*\) \(3\/4\) on tm-1 declined$/);
    expect(f!.explanation).toContain('Could not materialize checkpoint 6');
  });

  it('stays quiet when every checkpoint completed', () => {
    b = new IncidentBuilder();
    healthyJob(b, 20);
    expect(b.finish().findings([checkpointAnatomy])).toEqual([]);
  });
});
