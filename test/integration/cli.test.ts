import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestInto } from '../../src-main/core/ingest/ingest.js';
import { IncidentFileError, openIncident } from '../../src-main/core/store/database.js';
import { decodeBlock } from '../../src-main/core/store/log-blocks.js';
import { DEFAULT_SEED, generateBundle } from '../synth/generate.js';

/**
 * The `sluice` command as a user runs it: the BUILT CLI (npm test builds first), whose ingest uses the worker
 * thread and the parse workers that the in-process tests do not exercise.
 */
const CLI = join(process.cwd(), 'out/main/cli.js');
const work = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
let bundle = '';
const runWith = (env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const run = (...args: string[]): ReturnType<typeof runWith> => runWith({}, ...args);

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run 'npm run build' first`);
  bundle = (await generateBundle({
    scenario: 'backpressure-expired', version: '1.13', tms: 3, out: join(work, 'bundle'), sizeBytes: null, seed: DEFAULT_SEED,
    archive: 'tgz', debug: true, nearMiss: false, mixedVersions: false, nestJmLogs: false,
  })).archive!;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('sluice CLI', { timeout: 300_000 }, () => {
  it('ingest --json prints the summary object, and checkpoints/info/query/gc/diagnose/report read the file', () => {
    const incident = join(work, 'a.sluice');
    const ingest = run('ingest', bundle, '--out', incident, '--json');
    expect(ingest.status, ingest.stderr).toBe(0);
    const summary = JSON.parse(ingest.stdout) as {
      sources: Array<{ path: string; kind: string; format: string; reason: string; lines: number; events: number; warnings: number }>;
      checkpoints: { total: number; completed: number; expired: number; declined: number; failed: number };
      timeRange: { from: string; to: string };
    };
    expect(summary.sources.filter((s) => s.kind === 'flink-tm-log')).toHaveLength(3);
    expect(summary.sources.find((s) => s.kind === 'flink-jm-log')!.reason).toMatch(/banner 'Starting .*Version: 1\.13/);
    expect(summary.checkpoints.expired).toBeGreaterThanOrEqual(3);
    expect(summary.checkpoints.total).toBe(summary.checkpoints.completed + summary.checkpoints.expired + summary.checkpoints.declined + summary.checkpoints.failed);
    expect(summary.timeRange.from).toMatch(/^2021-07-19T/);

    const checkpoints = JSON.parse(run('checkpoints', incident, '--json').stdout) as Array<{ id: number; outcome: string; stragglers: Array<{ vertex: string; tm: string | null }> }>;
    const expired = checkpoints.filter((c) => c.outcome === 'expired');
    expect(expired[0]!.stragglers[0]).toMatchObject({ vertex: 'Sink: Unnamed' });
    expect(expired[0]!.stragglers[0]!.tm).toBeTruthy();
    expect(run('checkpoints', incident).stdout).toMatch(/expired .*Checkpoint expired before completing\./);
    expect(run('info', incident).stdout).toMatch(/flink-tm-log/);
    expect(run('query', incident, "SELECT count(*) AS n FROM checkpoint WHERE outcome = 'expired'").stdout).toMatch(/\n\s*[3-9]\d*\s*$/);
    expect(run('query', incident, 'DELETE FROM checkpoint').status).not.toBe(0);
    expect(run('gc', incident).stdout).toMatch(/pauses/);
    expect(run('diagnose', incident, '--json').status).toBe(0);
    expect(run('report', incident, '-o', join(work, 'r.html')).status).toBe(0);
  });

  it('gives the same incident content as the in-process ingest (parse workers merge correctly)', () => {
    const viaCli = join(work, 'cli.sluice');
    run('ingest', bundle, '--out', viaCli);
    const viaCliAgain = run('ingest', bundle, '--out', viaCli, '--json');
    expect((JSON.parse(viaCliAgain.stdout) as { sources: Array<{ status: string }> }).sources.every((s) => s.status === 'skipped-duplicate')).toBe(true);
    const db = new Database(viaCli, { readonly: true });
    const counts = db.prepare(`SELECT (SELECT count(*) FROM source) s, (SELECT count(*) FROM event) e, (SELECT count(*) FROM log_block) b,
      (SELECT sum(lines) FROM source) l, (SELECT count(*) FROM gc_event) g, (SELECT count(*) FROM checkpoint) c`).get();
    const order = (db.prepare('SELECT path FROM source ORDER BY id').all() as Array<{ path: string }>).map((r) => r.path);
    const checksums = db.prepare('SELECT path, sha256 FROM source ORDER BY id').all();
    db.close();
    const execArgs = ['--import', 'tsx', '-e', `
      const { ingest } = await import(${JSON.stringify(join(process.cwd(), 'src-main/core/ingest/ingest.ts'))});
      await ingest({ inputs: [${JSON.stringify(bundle)}], incidentPath: ${JSON.stringify(join(work, 'inproc.sluice'))} });`];
    execFileSync(process.execPath, execArgs, { encoding: 'utf8' });
    const other = new Database(join(work, 'inproc.sluice'), { readonly: true });
    const expected = other.prepare(`SELECT (SELECT count(*) FROM source) s, (SELECT count(*) FROM event) e, (SELECT count(*) FROM log_block) b,
      (SELECT sum(lines) FROM source) l, (SELECT count(*) FROM gc_event) g, (SELECT count(*) FROM checkpoint) c`).get();
    const expectedOrder = (other.prepare('SELECT path FROM source ORDER BY id').all() as Array<{ path: string }>).map((r) => r.path);
    const expectedChecksums = other.prepare('SELECT path, sha256 FROM source ORDER BY id').all();
    other.close();
    expect(counts).toEqual(expected);
    // Archive members are hashed on the ingest thread while they are spooled for a parse worker: the same
    // checksums as when the one thread hashes what it parses.
    expect(checksums).toEqual(expectedChecksums);
    // The same files as a folder: parse workers read them from disk themselves (handed off, not spooled).
    const viaFolder = join(work, 'folder.sluice');
    expect(run('ingest', join(work, 'bundle'), '--out', viaFolder).status).toBe(0);
    const folder = new Database(viaFolder, { readonly: true });
    const folderCounts = folder.prepare(`SELECT (SELECT count(*) FROM source) s, (SELECT count(*) FROM event) e, (SELECT count(*) FROM log_block) b,
      (SELECT sum(lines) FROM source) l, (SELECT count(*) FROM gc_event) g, (SELECT count(*) FROM checkpoint) c`).get();
    const folderChecksums = new Map((folder.prepare('SELECT path, sha256 FROM source').all() as Array<{ path: string; sha256: string }>).map((r) => [r.path, r.sha256]));
    folder.close();
    expect(folderCounts).toEqual(expected);
    // Files handed off to a parse worker are hashed on the ingest thread from disk, beside the parse.
    const tmLog = (expectedChecksums as Array<{ path: string; sha256: string }>).find((r) => /taskexecutor/.test(r.path))!;
    const tmName = tmLog.path.split('/').pop()!;
    const onDisk = [...folderChecksums].find(([path]) => path.endsWith(`/${tmName}`))!;
    expect(onDisk[1]).toBe(createHash('sha256').update(readFileSync(join(work, onDisk[0]))).digest('hex'));
    expect(onDisk[1]).toBe(tmLog.sha256);
    // Sources are numbered in walk order however the parse workers finish: the same order as in-process.
    expect(order).toEqual(expectedOrder);
  });

  it('reads logs in parts side by side into the same rows as one pass, from an archive and from a folder', () => {
    for (const input of [bundle, join(work, 'bundle')]) {
      const name = input === bundle ? 'archive' : 'folder';
      const onePass = join(work, `${name}-one-pass.sluice`);
      expect(run('ingest', input, '--out', onePass, '--part-mb', '100000').status).toBe(0);
      const expected = incidentRows(onePass);
      // Every log of the bundle is larger than two parts of 10 KB: each is cut in two at a record start near its middle.
      const inParts = join(work, `${name}-in-parts.sluice`);
      const ingest = run('ingest', input, '--out', inParts, '--part-mb', '0.01');
      expect(ingest.status, ingest.stderr).toBe(0);
      const rows = incidentRows(inParts);
      expect(rows.lines!.length, name).toBeGreaterThan(10_000);
      for (const table of Object.keys(expected)) expect(rows[table], `${name}: ${table}`).toEqual(expected[table]);
      // Read in parts indeed: a part's last block ends early, so a log read in n parts has n - 1 more blocks.
      const extraBlocks = [...blocksByLog(inParts)].map(([path, blocks]) => blocks - blocksByLog(onePass).get(path)!).filter((extra) => extra > 0);
      expect(extraBlocks.length, name).toBeGreaterThanOrEqual(3);
    }
    const badSize = run('ingest', bundle, '--out', join(work, 'bad-size.sluice'), '--part-mb', 'lots');
    expect(badSize.status).not.toBe(0);
    expect(badSize.stderr).toMatch(/--part-mb wants a positive number of MB, not 'lots'/);
  });

  it('renumbers the warnings of a later part as one pass numbers them', () => {
    const stamp = (i: number): string => `2023-06-14 09:${String(10 + Math.floor(i / 1000)).padStart(2, '0')}:00,${String(i % 1000).padStart(3, '0')}`;
    const lines = Array.from({ length: 3000 }, (_, i) => [
      `${stamp(i)} INFO  org.apache.flink.runtime.taskexecutor.TaskExecutor [] - line ${i}`,
      ...(i > 2000 && i % 50 === 0 ? [`\u0000\u0000 zeroed ${i}`] : []),
    ]).flat();
    const dir = join(work, 'late-warnings');
    mkdirSync(dir);
    writeFileSync(join(dir, 'flink-taskexecutor-0-tm-9.log'), `${lines.join('\n')}\n`);
    const onePass = join(work, 'late-warnings-one-pass.sluice');
    const inParts = join(work, 'late-warnings-in-parts.sluice');
    expect(run('ingest', dir, '--out', onePass, '--part-mb', '100000').status).toBe(0);
    expect(run('ingest', dir, '--out', inParts, '--part-mb', '0.05').status).toBe(0);
    const expected = incidentRows(onePass);
    expect(expected.warning!.filter((w) => w.includes('NUL bytes removed'))).toHaveLength(19);
    const rows = incidentRows(inParts);
    for (const table of Object.keys(expected)) expect(rows[table], table).toEqual(expected[table]);
    // Read in two parts indeed: the first ends near the middle, not after 2048 lines as one pass's first block does.
    const db = new Database(inParts, { readonly: true });
    expect((db.prepare('SELECT line_count FROM log_block WHERE block_no = 0').get() as { line_count: number }).line_count).toBeLessThan(2048);
    db.close();
  });

  it('parses a log again in one pass where its parts could have read differently (a repeated exception text)', () => {
    // Two ask timeouts a second, one pass writes recipient A's at 0, 10, 20 … s and B's at 5, 15, 25 … s: a part
    // starting at any second would write one of them that one pass skips.
    const stamp = (second: number): string => new Date(Date.UTC(2023, 5, 14, 9, 0, second)).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
    const ask = (recipient: string): string => `Caused by: akka.pattern.AskTimeoutException: Ask timed out on [Actor[akka://flink/user/rpc/${recipient}#1]] after [10000 ms].`;
    const failure = (second: number, recipient: string): string[] => [
      `${stamp(second)} WARN  org.apache.flink.runtime.rest.handler.legacy.metrics.MetricFetcherImpl [] - Requesting TaskManager's path for query services failed.`,
      'java.util.concurrent.CompletionException: java.util.concurrent.TimeoutException',
      ask(recipient),
    ];
    const lines = Array.from({ length: 200 }, (_, second) => [...failure(second, 'a'), ...(second >= 5 ? failure(second, 'b') : [])]).flat();
    const dir = join(work, 'repeats');
    mkdirSync(dir);
    writeFileSync(join(dir, 'flink-standalonesession-0-jm-0.log'), `${lines.join('\n')}\n`);
    const onePass = join(work, 'repeats-one-pass.sluice');
    expect(run('ingest', dir, '--out', onePass, '--part-mb', '100000').status).toBe(0);
    const again = join(work, 'repeats-again.sluice');
    const ingest = run('ingest', dir, '--out', again, '--part-mb', '0.001', '--json');
    expect(ingest.status, ingest.stderr).toBe(0);
    const expected = incidentRows(onePass);
    expect(expected.event!.filter((e) => e.includes('rpc.timeout'))).toHaveLength(40);
    const rows = incidentRows(again);
    for (const table of Object.keys(expected)) expect(rows[table], table).toEqual(expected[table]);
    // Parsed in one pass in the end: its 1185 lines are one block, where two parts would have made two.
    const db = new Database(again, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM log_block').get()).toEqual({ n: 1 });
    db.close();
  });

  it('leaves no temporary files behind (spooled members, the scratch template, one scratch file per source)', () => {
    const temp = join(work, 'tmp');
    mkdirSync(temp);
    const ingest = runWith({ TMPDIR: temp }, 'ingest', bundle, '--out', join(work, 'temp.sluice'));
    expect(ingest.status, ingest.stderr).toBe(0);
    expect(readdirSync(temp)).toEqual([]);
    const inParts = runWith({ TMPDIR: temp }, 'ingest', bundle, '--out', join(work, 'temp-parts.sluice'), '--part-mb', '0.01');
    expect(inParts.status, inParts.stderr).toBe(0);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('keeps the first in walk order of a log that is in the bundle twice, whichever parse worker finishes first', () => {
    const twice = join(work, 'twice');
    mkdirSync(twice);
    const logs = readdirSync(join(work, 'bundle'), { recursive: true, encoding: 'utf8' }).filter((f) => /taskexecutor.*\.log$/.test(f));
    copyFileSync(join(work, 'bundle', logs[0]!), join(twice, 'a.log'));
    copyFileSync(join(work, 'bundle', logs[0]!), join(twice, 'b.log'));
    copyFileSync(join(work, 'bundle', logs[1]!), join(twice, 'c.log'));
    const incident = join(work, 'twice.sluice');
    const ingest = run('ingest', twice, '--out', incident, '--json');
    expect(ingest.status, ingest.stderr).toBe(0);
    const statuses = (JSON.parse(ingest.stdout) as { sources: Array<{ path: string; status: string }> }).sources.map((s) => [s.path.split('/').pop(), s.status]);
    expect(statuses).toEqual([['a.log', 'done'], ['b.log', 'skipped-duplicate'], ['c.log', 'done']]);
    const db = new Database(incident, { readonly: true });
    const rows = db.prepare('SELECT path, sha256 FROM source ORDER BY id').all() as Array<{ path: string; sha256: string }>;
    db.close();
    expect(rows.map((r) => r.path.split('/').pop())).toEqual(['a.log', 'c.log']);
    expect(rows[0]!.sha256).toBe(createHash('sha256').update(readFileSync(join(twice, 'a.log'))).digest('hex'));
  });

  it('errors are one clear line and a non-zero exit, with a stack only under --debug', () => {
    const missing = run('info', join(work, 'nope.sluice'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/no such incident file/);
    const text = join(work, 'notes.sluice');
    writeFileSync(text, 'this is not a database, just notes\n'.repeat(100));
    const notIncident = run('checkpoints', text);
    expect(notIncident.status).not.toBe(0);
    expect(notIncident.stderr.trim()).toMatch(/^sluice checkpoints: .*not a Sluice incident file$/);
    const foreign = join(work, 'foreign.sluice');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    expect(run('info', foreign).stderr).toMatch(/not a Sluice incident file/);
    const newer = join(work, 'newer.sluice');
    openIncident(newer, { create: true }).close();
    const n = new Database(newer);
    n.pragma('user_version = 999');
    n.close();
    const tooNew = run('info', newer);
    expect(tooNew.status).not.toBe(0);
    expect(tooNew.stderr).toMatch(/made by a newer Sluice \(schema 999/);
    expect(tooNew.stderr).not.toMatch(/\n\s+at /);
    expect(run('info', newer, '--debug').stderr).toMatch(/\n\s+at /);
    expect(run('ingest', join(work, 'no-such-dir'), '--out', join(work, 'x.sluice')).stderr).toMatch(/no such file or folder/);
    expect(run('frobnicate').status).toBe(2);
  });

  it('a full disk is reported as such and keeps the incident consistent', async () => {
    const incident = join(work, 'full.sluice');
    const db = openIncident(incident, { create: true });
    // SQLite reports SQLITE_FULL exactly as on a full disk once the page limit is reached.
    db.pragma('max_page_count = 120');
    await expect(ingestInto(db, { inputs: [bundle], incidentPath: incident })).rejects.toThrow(IncidentFileError);
    await expect(ingestInto(db, { inputs: [bundle], incidentPath: incident })).rejects.toThrow(/disk full/);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});

/**
 * Every row of an incident as text, table by table, sorted: without row ids and ingest times, which follow the
 * order parse workers happen to finish in; ids in evidence become what the row is (an event's source and line). Log text
 * comes as decoded lines (source, line, level, time, text), whatever blocks hold them.
 */
function incidentRows(path: string): Record<string, string[]> {
  const db = new Database(path, { readonly: true });
  try {
    const keyOf = (table: string, key = "source_id || ':' || line"): Map<number, string> =>
      new Map((db.prepare(`SELECT id, ${key} AS key FROM ${table}`).all() as Array<{ id: number; key: string }>).map((r) => [r.id, r.key]));
    const keys: Record<string, Map<number, string>> = {
      event: keyOf('event'), gc: keyOf('gc_event'), bp: keyOf('bp_sample', "source_id || ':' || ts_us || ':' || vertex_id || ':' || subtask || ':' || origin"),
    };
    const resolve = (value: unknown, events = false): unknown => {
      if (typeof value === 'number' && events) return keys.event!.get(value) ?? value;
      if (Array.isArray(value)) return value.map((v) => resolve(v, events));
      if (value === null || typeof value !== 'object') return value;
      const object = value as Record<string, unknown>;
      const byType = typeof object.type === 'string' ? keys[object.type] : undefined;
      return Object.fromEntries(Object.entries(object).map(([k, v]) =>
        [k, k === 'id' && byType !== undefined && typeof v === 'number' ? byType.get(v) ?? v : resolve(v, k === 'events')]));
    };
    const rows: Record<string, string[]> = {};
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'log_block'").all() as Array<{ name: string }>).map((t) => t.name);
    for (const table of tables) {
      const columns = (db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>).map((c) => c.name).filter((name) => name !== 'id' && name !== 'ingested_at');
      rows[table] = (db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}"`).raw().all() as unknown[][])
        .map((row) => JSON.stringify(row.map((value, i) => (columns[i] === 'evidence' && typeof value === 'string'
          ? JSON.stringify(resolve(JSON.parse(value), table === 'subtask_checkpoint')) : value))))
        .sort();
    }
    rows.lines = [];
    for (const block of db.prepare('SELECT * FROM log_block ORDER BY source_id, block_no').iterate() as Iterable<Parameters<typeof decodeBlock>[0] & { source_id: number }>) {
      for (const line of decodeBlock(block)) rows.lines.push(`${block.source_id}:${line.line} ${line.level}${line.continuation ? '+' : ''} ${line.tsUs} ${line.text}`);
    }
    return rows;
  } finally {
    db.close();
  }
}

/** How many log blocks each Flink log of an incident has, by path. */
function blocksByLog(path: string): Map<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare(`SELECT s.path, count(*) AS blocks FROM log_block b JOIN source s ON s.id = b.source_id
      WHERE s.kind LIKE 'flink-%' GROUP BY s.path`).all() as Array<{ path: string; blocks: number }>;
    return new Map(rows.map((r) => [r.path, r.blocks]));
  } finally {
    db.close();
  }
}
