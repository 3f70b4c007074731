import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestRunner } from '../../../src-main/core/api/service.js';
import { ingest } from '../../../src-main/core/ingest/ingest.js';
import { startServer, safeRelativePath, type RunningServer } from '../../../src-main/server/server.js';
import { JOB, makeFixture, type Fixture } from '../api/fixture.js';

const inProcess: IngestRunner = (options, onProgress, signal) => ingest({ ...options, onProgress, signal });

function raw(port: number, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('browser-mode server', () => {
  let f: Fixture;
  let server: RunningServer;
  let base: string;
  const call = (method: string, args: unknown[], headers: Record<string, string> = { 'x-sluice-token': server.token }) =>
    fetch(`${base}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(args) });

  beforeEach(async () => {
    f = await makeFixture();
    const rendererDir = mkdtempSync(join(tmpdir(), 'sluice-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Sluice</title>');
    server = await startServer({ incidentPath: f.path, incidentsDir: f.dir, rendererDir, runIngest: inProcess, maxUploadBytes: 10_000, token: 't'.repeat(48) });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterEach(async () => {
    await server.close();
    f.db.close();
  });

  it('prints a loopback URL with the token and serves the page with a strict CSP and a token cookie', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-eval');
    expect(page.headers.get('set-cookie')).toContain(`sluice_token=${server.token}; HttpOnly; SameSite=Strict`);
    expect((await fetch(`${base}/`)).headers.get('set-cookie')).toBeNull();
  });

  it('requires the token on every API call, by header or cookie', async () => {
    expect((await call('overview', [], {})).status).toBe(401);
    expect((await call('overview', [], { 'x-sluice-token': 'wrong' })).status).toBe(401);
    const byHeader = await call('overview', []);
    expect(byHeader.status).toBe(200);
    expect(((await byHeader.json()) as { result: { counts: { checkpoints: number } } }).result.counts.checkpoints).toBe(10);
    expect((await call('checkpoints', [], { cookie: `sluice_token=${server.token}` })).status).toBe(200);
  });

  it('refuses foreign Host and Origin headers (DNS rebinding, cross-site calls)', async () => {
    const headers = { 'x-sluice-token': server.token, 'content-type': 'application/json' };
    expect((await raw(server.port, '/api/overview', { ...headers, host: 'evil.example:80' }, 'POST', '[]')).status).toBe(403);
    expect((await raw(server.port, '/api/overview', { ...headers, origin: 'http://evil.example' }, 'POST', '[]')).status).toBe(403);
    expect((await raw(server.port, '/api/overview', { ...headers, origin: `http://localhost:${server.port}` }, 'POST', '[]')).status).toBe(200);
    expect((await raw(server.port, '/', { host: `attacker.test:${server.port}` })).status).toBe(403);
  });

  it('validates payloads and maps service errors to HTTP statuses', async () => {
    const bad = await call('checkpointDetail', [JOB, 'x']);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid-argument');
    expect((await call('nope', [])).status).toBe(404);
    expect((await call('exportReport', [{ omit: ['bogus'] }])).status).toBe(400);
    const report = await call('exportReport', [{}]);
    expect(report.status).toBe(200);
    expect(((await report.json()) as { result: { html: string } }).result.html).toMatch(/^<!doctype html>/);
    const notJson = await fetch(`${base}/api/overview`, { method: 'POST', headers: { 'x-sluice-token': server.token, 'content-type': 'text/plain' }, body: '[]' });
    expect(notJson.status).toBe(415);
  });

  it('does not serve files outside the renderer folder', async () => {
    expect((await raw(server.port, '/%2e%2e/%2e%2e/etc/passwd', { host: `127.0.0.1:${server.port}` })).status).toBe(404);
    expect((await raw(server.port, '/..%2f..%2fetc%2fpasswd', { host: `127.0.0.1:${server.port}` })).status).toBe(404);
  });

  it('streams an upload into a drop folder, ingests it by id and reports progress over SSE', async () => {
    const log = '2024-03-01 10:00:00,000 INFO  org.example.Thing - hello\n';
    const up = await fetch(`${base}/api/upload?name=${encodeURIComponent('logs/../app.log')}`, { method: 'POST', headers: { 'x-sluice-token': server.token }, body: log });
    expect(up.status).toBe(200);
    const { result } = (await up.json()) as { result: { uploadId: string; bytes: number } };
    expect(result.bytes).toBe(log.length);
    const started = await call('ingest', [{ uploadIds: [result.uploadId] }]);
    const { ingestId } = ((await started.json()) as { result: { ingestId: string } }).result;
    const sse = await fetch(`${base}/api/progress/${ingestId}`, { headers: { 'x-sluice-token': server.token } });
    expect(sse.headers.get('content-type')).toBe('text/event-stream');
    const text = await sse.text();
    const phases = text.split('\n\n').filter((b) => b.startsWith('data: ')).map((b) => (JSON.parse(b.slice(6)) as { phase: string }).phase);
    expect(phases.at(-1)).toBe('done');
  });

  it('refuses uploads over the cap and keeps nothing of them', async () => {
    const big = await fetch(`${base}/api/upload?name=big.log`, { method: 'POST', headers: { 'x-sluice-token': server.token }, body: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect((await fetch(`${base}/api/upload?name=`, { method: 'POST', headers: { 'x-sluice-token': server.token }, body: 'x' })).status).toBe(400);
  });

  it('keeps dropped folder shapes but no way out of the drop folder', () => {
    expect(safeRelativePath('logs/tm-1/taskmanager.log')).toBe('logs/tm-1/taskmanager.log');
    expect(safeRelativePath('../../etc/passwd')).toBe('etc/passwd');
    expect(safeRelativePath('C:\\x\\..\\y.log')).toBe('C:/x/y.log');
    expect(safeRelativePath('/..')).toBeNull();
  });

  it('only listens on loopback', async () => {
    await expect(startServer({ rendererDir: f.dir, host: '0.0.0.0' as '127.0.0.1', incidentsDir: f.dir })).rejects.toThrow(/127\.0\.0\.1 only/);
  });
});
