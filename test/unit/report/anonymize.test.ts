import { describe, expect, it } from 'vitest';
import { Anonymizer } from '../../../src-main/core/report/anonymize.js';

describe('Anonymizer', () => {
  it('replaces identifiers consistently, longest first', () => {
    const a = new Anonymizer();
    a.add('tm', '10.42.7.19:6122-4c8e2a');
    a.add('host', 'tm-7.flink.svc');
    a.add('host', 'tm-7');
    a.add('job', 'orders-enrichment');
    const line = 'Decline checkpoint 47 by task x of job orders-enrichment at 10.42.7.19:6122-4c8e2a @ tm-7.flink.svc (dataPort=40123).';
    const out = a.apply(line);
    expect(out).toBe('Decline checkpoint 47 by task x of job JOB-1 at TM-1 @ HOST-1 (dataPort=40123).');
    expect(a.apply('tm-7 again, tm-7.flink.svc again')).toBe('HOST-2 again, HOST-1 again');
  });

  it('catches IPs, absolute paths and URLs that no table named', () => {
    const a = new Anonymizer();
    const out = a.apply('connect 192.168.1.20 wrote /opt/flink/log/flink-alice-taskexecutor-0-node1.log to s3://bucket/ckp/chk-42 (2/4)');
    expect(out).not.toMatch(/192\.168|alice|bucket|node1/);
    expect(out).toContain('(2/4)');
    expect(a.apply('again 192.168.1.20')).toBe('again IP-1');
  });

  it('keeps the extension of bundle paths', () => {
    const a = new Anonymizer();
    const p = a.path('incident.zip!/logs/flink-alice-taskexecutor-0-node1.log');
    expect(p).toMatch(/^PATH-\d+\.zip!\/PATH-\d+\/PATH-\d+\.log$/);
    expect(a.apply('org.apache.flink.runtime.taskmanager.Task in flink-flink-taskexecutor-0-tm-1.log, OS current user: flink')).toBe(
      'org.apache.flink.runtime.taskmanager.Task in flink-USER-2-taskexecutor-0-tm-1.log, OS current user: USER-2',
    );
  });
});
