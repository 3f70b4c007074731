import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceError, type IngestProgressEvent } from '../../../src-main/core/api/contract.js';
import { dispatch } from '../../../src-main/core/api/dispatch.js';
import { createService, type IngestRunner, type LocalService } from '../../../src-main/core/api/service.js';
import { ingest } from '../../../src-main/core/ingest/ingest.js';
import packageJson from '../../../package.json' with { type: 'json' };
import { FAILED_CHECKPOINT, JOB, makeFixture, SECOND, T0, type Fixture } from './fixture.js';

const sectionIds = (html: string): string[] => [...html.matchAll(/<section id="([a-z]+)"/g)].map((m) => m[1]!);
const checkpointIds = (html: string): number[] => [...html.matchAll(/<tr class="cp-row[^"]*" id="cp-[^"]*-(\d+)"/g)].map((m) => Number(m[1]));

/** The worker bundle only exists after a build; tests run the same pipeline in-process. */
const inProcess: IngestRunner = (options, onProgress, signal) => ingest({ ...options, onProgress, signal });

describe('the service', () => {
  let f: Fixture;
  let service: LocalService;
  let incidentsDir: string;
  beforeEach(async () => {
    f = await makeFixture();
    incidentsDir = mkdtempSync(join(tmpdir(), 'sluice-incidents-'));
  });
  afterEach(() => {
    service.close();
    f.db.close();
  });

  it('answers the read methods for an opened incident', async () => {
    service = createService({ incidentPath: f.path, incidentsDir, runIngest: inProcess });
    expect(await service.currentIncident()).toMatchObject({ path: f.path, isSample: false, readOnly: false, empty: false });
    const overview = await service.overview();
    expect(overview.incident.path).toBe(f.path);
    expect(overview.counts.checkpoints).toBe(10);
    const tl = await service.timeline({ from: T0, to: T0 + 300 * SECOND, widthPx: 800 });
    expect(tl.checkpoints).toHaveLength(10);
    expect((await service.checkpoints()).find((c) => c.checkpointId === FAILED_CHECKPOINT)!.stragglers.map((s) => s.tm)).toEqual(['tm-1']);
    expect((await service.findings()).map((x) => x.checkpointId)).toEqual([FAILED_CHECKPOINT]);
    await expect(service.timeline({ from: T0, to: T0, widthPx: 10 })).rejects.toThrow(/after/);
  });

  it('puts the straggler, its GC pause, the timeout and the related lines in a checkpoint detail', async () => {
    service = createService({ incidentPath: f.path, incidentsDir, runIngest: inProcess });
    const detail = (await service.checkpointDetail(JOB, FAILED_CHECKPOINT))!;
    expect(detail.checkpoint.outcome).toBe('expired');
    expect(detail.subtasks[0]).toMatchObject({ subtask: 1, status: 'pending', tm: 'tm-1' });
    expect(detail.timeoutMs).toBe(10_000);
    const tm1 = detail.gc.find((g) => g.tm === 'tm-1')!;
    expect(tm1.pauses.filter((p) => p.full)).toHaveLength(1);
    expect(detail.backpressure[0]).toMatchObject({ vertexName: 'Map', subtask: 1, level: 'high' });
    expect(detail.logLines.map((l) => l.line)).toEqual([2109]);
    expect(detail.findings).toHaveLength(1);
    expect(await service.checkpointDetail(JOB, 999)).toBeNull();
  });

  it('keeps the sample read-only and starts a new incident when evidence is dropped on it', async () => {
    service = createService({ samplePath: f.path, incidentsDir, runIngest: inProcess });
    expect(await service.currentIncident()).toMatchObject({ isSample: true, readOnly: true });
    await expect(service.createAnnotation({ from: T0, type: 'note', text: 'x' })).rejects.toMatchObject({ code: 'read-only' });

    const input = join(incidentsDir, 'notes.log');
    writeFileSync(input, '2024-03-01 10:00:00,000 INFO  org.example.Thing - hello\n2024-03-01 10:00:01,000 WARN  org.example.Thing - careful\n');
    const started = await service.ingest({ inputs: [input] });
    expect(started.incidentPath.startsWith(incidentsDir)).toBe(true);
    const events: IngestProgressEvent[] = [];
    await new Promise<void>((resolve) => {
      service.onProgress(started.ingestId, (e) => {
        events.push(e);
        if (e.phase === 'done' || e.phase === 'failed' || e.phase === 'cancelled') resolve();
      });
    });
    const last = events.at(-1)!;
    expect(last.phase).toBe('done');
    expect(last.files.map((x) => x.path)).toEqual([expect.stringContaining('notes.log')]);
    expect(await service.currentIncident()).toMatchObject({ isSample: false, readOnly: false, empty: false });
    expect(readdirSync(incidentsDir).some((n) => n.endsWith('.sluice'))).toBe(true);
    const note = await service.createAnnotation({ from: T0, type: 'note', text: 'mine now' });
    expect((await service.listAnnotations()).map((a) => a.id)).toEqual([note.id]);
  });

  it('rejects bad ingest requests with clear errors', async () => {
    service = createService({ incidentPath: f.path, incidentsDir, runIngest: inProcess });
    await expect(service.ingest({})).rejects.toThrow(/nothing to ingest/);
    await expect(service.ingest({ uploadIds: ['nope'] })).rejects.toMatchObject({ code: 'not-found' });
    await expect(service.ingest({ inputs: ['/does/not/exist'] })).rejects.toMatchObject({ code: 'not-found' });
    expect(() => service.onProgress('nope', () => undefined)).toThrow(ServiceError);
  });

  it('cancels a running ingest', async () => {
    let release: () => void = () => undefined;
    const slow: IngestRunner = (_options, _onProgress, signal) =>
      new Promise((resolve) => {
        release = () => resolve({ sources: [], bundleWarnings: [], cancelled: signal.aborted });
        signal.addEventListener('abort', () => release());
      });
    service = createService({ incidentPath: f.path, incidentsDir, runIngest: slow });
    const { ingestId } = await service.ingest({ inputs: [f.path] });
    await expect(service.ingest({ inputs: [f.path] })).rejects.toMatchObject({ code: 'busy' });
    const phases: string[] = [];
    service.onProgress(ingestId, (e) => phases.push(e.phase));
    expect(await service.cancelIngest(ingestId)).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(phases.at(-1)).toBe('cancelled');
    expect(await service.cancelIngest(ingestId)).toBe(false);
  });

  it('has no incident and says so when neither a file nor the sample exists', async () => {
    service = createService({ samplePath: join(incidentsDir, 'missing.sluice'), incidentsDir, runIngest: inProcess });
    expect(await service.currentIncident()).toBeNull();
    await expect(service.overview()).rejects.toMatchObject({ code: 'no-incident' });
  });

  it('exports the report as HTML for the whole incident, with the chosen sections only', async () => {
    service = createService({ incidentPath: f.path, incidentsDir, runIngest: inProcess });
    const whole = await service.exportReport({});
    expect(whole.path).toBeNull();
    expect(whole.bytes).toBe(Buffer.byteLength(whole.html!));
    expect(whole.html).toContain(`<meta name="generator" content="Sluice ${packageJson.version}">`);
    // No flame section: the fixture has no profiles.
    expect(sectionIds(whole.html!)).toEqual(['summary', 'timeline', 'checkpoints', 'gc', 'backpressure', 'findings', 'appendix']);
    expect(checkpointIds(whole.html!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    const some = await service.exportReport({ omit: ['timeline', 'gc', 'flame', 'appendix'], from: T0 + 170 * SECOND, to: T0 + 300 * SECOND });
    expect(sectionIds(some.html!)).toEqual(['summary', 'checkpoints', 'backpressure', 'findings']);
    // Checkpoints every 30 s from T0: #7 (the expired one, at +180 s) to #10 fall in the window.
    expect(checkpointIds(some.html!)).toEqual([7, 8, 9, 10]);
    expect(some.html).toContain('Checkpoint expired before completing.');
    await expect(service.exportReport({ from: T0 + SECOND, to: T0 })).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('titles the report and remembers the title on a writable incident, not on the sample', async () => {
    service = createService({ incidentPath: f.path, incidentsDir, runIngest: inProcess });
    expect((await service.currentIncident())!.title).toBeNull();
    const titled = await service.exportReport({ title: '  Orders <job> outage  ' });
    expect(titled.html).toContain('<title>Orders &lt;job&gt; outage</title>');
    expect((await service.currentIncident())!.title).toBe('Orders <job> outage');
    // Without a title option, the stored one is the heading.
    expect((await service.exportReport({})).html).toContain('<title>Orders &lt;job&gt; outage</title>');
    service.close();

    service = createService({ incidentPath: f.path, incidentsDir, runIngest: inProcess });
    expect((await service.currentIncident())!.title).toBe('Orders <job> outage');
    service.close();

    service = createService({ samplePath: f.path, incidentsDir, runIngest: inProcess });
    const sample = await service.exportReport({ title: 'Renamed sample' });
    expect(sample.html).toContain('<title>Renamed sample</title>');
    expect((await service.currentIncident())!.title).toBe('Orders <job> outage');
  });

  it('writes the report to an .html output path and refuses other paths', async () => {
    service = createService({ incidentPath: f.path, incidentsDir, runIngest: inProcess });
    const out = join(incidentsDir, 'postmortem.html');
    const written = await service.exportReport({ outputPath: out, anonymize: true });
    expect(written).toMatchObject({ path: out, html: null });
    const html = readFileSync(out, 'utf8');
    expect(written.bytes).toBe(Buffer.byteLength(html));
    expect(html).toContain('Anonymized');
    expect(html).not.toContain('host-1');
    await expect(service.exportReport({ outputPath: join(incidentsDir, 'notes.txt') })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(service.exportReport({ outputPath: join(incidentsDir, 'missing-folder', 'r.html') })).rejects.toMatchObject({
      code: 'invalid-argument', message: expect.stringContaining('could not be written'),
    });
  });

  it('has no report to export without an incident', async () => {
    service = createService({ samplePath: join(incidentsDir, 'missing.sluice'), incidentsDir, runIngest: inProcess });
    await expect(service.exportReport({})).rejects.toMatchObject({ code: 'no-incident' });
  });

  it('validates and dispatches calls the way transports do', async () => {
    service = createService({ incidentPath: f.path, incidentsDir, runIngest: inProcess });
    expect(await dispatch(service, 'checkpointDetail', [JOB, 'seven'])).toEqual({
      error: { code: 'invalid-argument', message: 'checkpointDetail[1]: expected an integer in [-9007199254740991, 9007199254740991], got string' },
    });
    expect(await dispatch(service, 'dropTables', [])).toMatchObject({ error: { code: 'not-found' } });
    expect(await dispatch(service, 'onProgress', ['x'])).toMatchObject({ error: { code: 'not-found' } });
    const created = await dispatch(service, 'createAnnotation', [{ from: T0, type: 'repair', text: 'restarted tm-1' }]);
    expect(created).toMatchObject({ result: { type: 'repair', text: 'restarted tm-1' } });
  });
});
