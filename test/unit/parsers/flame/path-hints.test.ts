import { describe, expect, it } from 'vitest';
import { ZoneClock } from '../../../../src-main/core/common/time.js';
import { hintsFromPath } from '../../../../src-main/core/parsers/flame/path-hints.js';

const utc = new ZoneClock('UTC');

describe('hintsFromPath', () => {
  it('reads TaskManager folders and names', () => {
    expect(hintsFromPath('incident/tm-7/cpu.html', utc).tm).toBe('tm-7');
    expect(hintsFromPath('logs/flink-taskmanager-1-3/profile.jfr', utc).tm).toBe('flink-taskmanager-1-3');
    expect(hintsFromPath('yarn/container_e01_1700000000000_0001_01_000002/alloc.jfr', utc)).toMatchObject({
      tm: 'container_e01_1700000000000_0001_01_000002',
      mode: 'alloc',
    });
    expect(hintsFromPath('stm-7/html.html', utc).tm).toBeUndefined();
  });

  it('reads Flink REST paths: vertex, job, subtask and flame graph type', () => {
    const hints = hintsFromPath(
      'rest/jobs/0123456789abcdef0123456789abcdef/vertices/fedcba9876543210fedcba9876543210/flamegraph?type=off_cpu&subtaskindex=3',
      utc,
    );
    expect(hints).toMatchObject({
      job: '0123456789abcdef0123456789abcdef',
      vertexId: 'fedcba9876543210fedcba9876543210',
      subtask: 3,
      flinkType: 'OFF_CPU',
      mode: 'off-cpu',
    });
    expect(hintsFromPath('dump/flamegraph_on_cpu.json', utc)).toMatchObject({ flinkType: 'ON_CPU', mode: 'cpu' });
  });

  it('reads capture times in the common file-name shapes, in the source zone', () => {
    expect(hintsFromPath('profile-2023-06-14_09-12-40.html', utc).captureUs).toBe(Date.UTC(2023, 5, 14, 9, 12, 40) * 1000);
    expect(hintsFromPath('cpu-20230614-091240.jfr', new ZoneClock('Asia/Tokyo')).captureUs).toBe(Date.UTC(2023, 5, 14, 0, 12, 40) * 1000);
    expect(hintsFromPath('run-2023-13-14_09-12-40.html', utc).captureUs).toBeUndefined();
  });
});
