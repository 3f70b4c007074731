import { describe, expect, it } from 'vitest';
import { parseGc } from './harness.js';

describe('OpenJ9 verbose GC XML', () => {
  it('turns exclusive-start/end into a pause with kind, cause and heap', () => {
    const r = parseGc(
      [
        '<?xml version="1.0" ?>',
        '<verbosegc xmlns="http://www.ibm.com/j9/verbosegc" version="R28_Java8_GA">',
        '  <attribute name="gcPolicy" value="-Xgcpolicy:gencon" />',
        '<exclusive-start id="2" timestamp="2015-12-31T15:22:46.957" intervalms="3955.367">',
        '<af-start id="3" totalBytesRequested="16392" timestamp="2015-12-31T15:22:46.957" intervalms="3955.490" />',
        '<cycle-start id="4" type="scavenge" contextid="0" timestamp="2015-12-31T15:22:46.957" intervalms="3955.562" />',
        '<gc-start id="5" type="scavenge" contextid="4" timestamp="2015-12-31T15:22:46.957">',
        '  <mem-info id="6" free="401882552" total="536870912" percent="74">',
        '<gc-end id="8" type="scavenge" contextid="4" durationms="25.007" timestamp="2015-12-31T15:22:46.982">',
        '  <mem-info id="9" free="457545744" total="536870912" percent="85">',
        '<exclusive-end id="13" timestamp="2015-12-31T15:22:46.982" durationms="25.388" />',
        '</verbosegc>',
      ].join('\n'),
      'gc.xml',
      'Europe/Paris',
    );
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      eventClass: 'pause', kind: 'young', cause: 'Allocation Failure', durationUs: 25_388, line: 4, lineCount: 8,
      heapBeforeBytes: 536870912 - 401882552, heapAfterBytes: 536870912 - 457545744, heapCommittedBytes: 536870912,
      timeBasis: 'logged-start',
    });
    // Zone-less local time is read in the source's zone.
    expect(new Date(r.events[0]!.start / 1000).toISOString()).toBe('2015-12-31T14:22:46.957Z');
    expect(r.facts.gcCollector).toBe('J9 gencon');
  });

  it('reports the pre-R26 layout as unsupported instead of guessing', () => {
    const r = parseGc(['<?xml version="1.0" ?>', '<verbosegc version="20090417_AA">', '<af type="tenured" id="1" timestamp="Apr 17 12:00:00 2009" intervalms="0.000">', '</af>', '</verbosegc>'].join('\n'));
    expect(r.events).toEqual([]);
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/pre-R26 layout .* not supported/), expect.stringMatching(/no GC events recognised/)]);
  });
});
