import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkInputs } from '../../../src-main/core/archive/walk.js';
import { collect, gzip, makeTar, makeZip, put, storedZip, withTempDir } from './fixtures.js';

const JM_LINE = '2023-06-14 09:12:40,117 INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - Triggering checkpoint 1\n';
const TM_LINE = '2023-06-14 09:12:41,002 INFO  org.apache.flink.runtime.taskmanager.Task                    [] - Map (1/2)#0 switched from DEPLOYING to RUNNING.\n';

describe('plain files and folders', () => {
  it('walks a folder recursively in sorted order with paths relative to its parent and disk paths', async () => {
    await withTempDir(async (dir) => {
      const bundle = join(dir, 'bundle');
      await mkdir(join(bundle, 'tm-2'), { recursive: true });
      await mkdir(join(bundle, 'jm'), { recursive: true });
      await writeFile(join(bundle, 'tm-2', 'taskmanager.log'), TM_LINE);
      await writeFile(join(bundle, 'jm', 'jobmanager.log'), JM_LINE);
      await writeFile(join(bundle, 'README'), 'notes');
      await writeFile(join(bundle, 'empty.log'), '');
      const { entries, warnings } = await collect([bundle]);
      expect(warnings).toEqual([]);
      expect(entries.map((e) => e.path)).toEqual(['bundle/README', 'bundle/empty.log', 'bundle/jm/jobmanager.log', 'bundle/tm-2/taskmanager.log']);
      const jm = entries[2];
      expect(jm.name).toBe('jobmanager.log');
      expect(jm.diskPath).toBe(join(bundle, 'jm', 'jobmanager.log'));
      expect(jm.size).toBe(Buffer.byteLength(JM_LINE));
      expect(jm.text).toBe(JM_LINE);
      expect(entries[1].bytes).toBe(0);
    });
  });

  it('lets a consumer take over plain files on disk, counting them against the total cap', async () => {
    await withTempDir(async (dir) => {
      const bundle = join(dir, 'bundle');
      await mkdir(bundle);
      await writeFile(join(bundle, 'a.log'), 'a'.repeat(3000));
      await writeFile(join(bundle, 'b.log'), 'b'.repeat(3000));
      await writeFile(join(bundle, 'c.gz'), gzip('inside gzip'));
      const handedOff: Record<string, boolean> = {};
      const warnings: string[] = [];
      await walkInputs([bundle], {
        limits: { maxTotalBytes: 5000 },
        onWarning: (w) => warnings.push(w.message),
        onEntry: async (entry) => {
          handedOff[entry.path] = entry.handOff !== undefined;
          // Read only a head, as the ingest does before it hands a file to a parse worker.
          const stream = entry.open();
          for await (const chunk of stream) {
            void chunk;
            break;
          }
          entry.handOff?.();
        },
      });
      // a.log counts whole although only its head went through the walk, so b.log no longer fits.
      expect(handedOff).toEqual({ 'bundle/a.log': true, 'bundle/c.gz': false });
      expect(warnings).toEqual(["skipped 'bundle/b.log': its 3000 bytes would take the bundle over the total cap of 5000 bytes"]);
    });
  });

  it('follows a symlink that stays inside the folder and refuses one that points outside', async () => {
    await withTempDir(async (dir) => {
      const bundle = join(dir, 'bundle');
      await mkdir(bundle);
      await writeFile(join(dir, 'secret.txt'), 'outside');
      await writeFile(join(bundle, 'real.log'), 'inside');
      await symlink(join(dir, 'secret.txt'), join(bundle, 'escape.log'));
      await symlink(join(bundle, 'real.log'), join(bundle, 'alias.log'));
      const { entries, warnings } = await collect([bundle]);
      expect(entries.map((e) => [e.path, e.text])).toEqual([
        ['bundle/alias.log', 'inside'],
        ['bundle/real.log', 'inside'],
      ]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0].path).toBe('bundle/escape.log');
      expect(warnings[0].message).toMatch(/'bundle\/escape\.log' points outside the input folder/);
    });
  });

  it('warns about a missing input and goes on with the rest', async () => {
    await withTempDir(async (dir) => {
      const file = await put(dir, 'a.log', 'x');
      const { entries, warnings } = await collect([join(dir, 'missing.zip'), file]);
      expect(entries.map((e) => e.path)).toEqual(['a.log']);
      expect(warnings[0].message).toMatch(/cannot read input .*missing\.zip/);
    });
  });
});

describe('containers', () => {
  it('reads a zip with members named by their path inside it', async () => {
    await withTempDir(async (dir) => {
      const zip = await put(dir, 'incident.zip', await makeZip([
        { name: 'logs/', data: '' },
        { name: 'logs/jobmanager.log', data: JM_LINE },
        { name: 'logs/stored.txt', data: 'stored', compress: false },
      ]));
      const { entries, warnings } = await collect([zip]);
      expect(warnings).toEqual([]);
      expect(entries.map((e) => [e.path, e.name, e.text, e.size])).toEqual([
        ['incident.zip!/logs/jobmanager.log', 'jobmanager.log', JM_LINE, Buffer.byteLength(JM_LINE)],
        ['incident.zip!/logs/stored.txt', 'stored.txt', 'stored', 6],
      ]);
      expect(entries[0].diskPath).toBeUndefined();
    });
  });

  it('reads zip64 members', async () => {
    await withTempDir(async (dir) => {
      const zip = await put(dir, 'z64.zip', await makeZip([{ name: 'a.log', data: 'zip64 body', forceZip64Format: true }]));
      const { entries, warnings } = await collect([zip]);
      expect(warnings).toEqual([]);
      expect(entries.map((e) => e.text)).toEqual(['zip64 body']);
    });
  });

  it('reads tar, tar.gz, tgz and single-file gz', async () => {
    await withTempDir(async (dir) => {
      const tar = await makeTar([{ name: 'logs', type: 'directory' }, { name: 'logs/tm-1.log', data: TM_LINE }, { name: './empty', data: '' }]);
      const inputs = [
        await put(dir, 'a.tar', tar),
        await put(dir, 'b.tar.gz', gzip(tar)),
        await put(dir, 'c.tgz', gzip(tar)),
        await put(dir, 'gc.log.0.gz', gzip('[0.016s][info][gc] Using G1\n')),
      ];
      const { entries, warnings } = await collect(inputs);
      expect(warnings).toEqual([]);
      expect(entries.map((e) => [e.path, e.name, e.bytes])).toEqual([
        ['a.tar!/logs/tm-1.log', 'tm-1.log', TM_LINE.length],
        ['a.tar!/empty', 'empty', 0],
        ['b.tar.gz!/logs/tm-1.log', 'tm-1.log', TM_LINE.length],
        ['b.tar.gz!/empty', 'empty', 0],
        ['c.tgz!/logs/tm-1.log', 'tm-1.log', TM_LINE.length],
        ['c.tgz!/empty', 'empty', 0],
        ['gc.log.0.gz', 'gc.log.0', 28],
      ]);
      expect(entries[6].text).toBe('[0.016s][info][gc] Using G1\n');
    });
  });

  it('recognises archives by magic bytes when the name does not say', async () => {
    await withTempDir(async (dir) => {
      const inputs = [
        await put(dir, 'bundle.bin', await makeZip([{ name: 'x.log', data: 'from zip' }])),
        await put(dir, 'download', gzip(await makeTar([{ name: 'y.log', data: 'from tar.gz' }]))),
        await put(dir, 'archive.dat', await makeTar([{ name: 'z.log', data: 'from tar' }])),
      ];
      const { entries } = await collect(inputs);
      expect(entries.map((e) => [e.path, e.text])).toEqual([
        ['bundle.bin!/x.log', 'from zip'],
        ['download!/y.log', 'from tar.gz'],
        ['archive.dat!/z.log', 'from tar'],
      ]);
    });
  });

  it('opens archives nested three levels deep and spools nested zips to a temp file it deletes', async () => {
    await withTempDir(async (dir) => {
      const innerTar = await makeTar([
        { name: 'tm-1.log', data: TM_LINE },
        { name: 'gc.log.gz', data: gzip('[0.018s][info][gc] Using G1\n') },
      ]);
      const innerZip = await makeZip([{ name: 'rest/checkpoints.json', data: '{"counts":{}}' }]);
      const outerZip = await makeZip([
        { name: 'logs/tm.tar.gz', data: gzip(innerTar), compress: false },
        { name: 'dumps.zip', data: innerZip },
      ]);
      const outerTar = await makeTar([{ name: 'incident.zip', data: outerZip }]);
      const input = await put(dir, 'all.tar', outerTar);
      const spoolsBefore = await countSpoolDirs();
      const { entries, warnings } = await collect([input]);
      expect(warnings).toEqual([]);
      expect(entries.map((e) => [e.path, e.name, e.text])).toEqual([
        ['all.tar!/incident.zip!/logs/tm.tar.gz!/tm-1.log', 'tm-1.log', TM_LINE],
        ['all.tar!/incident.zip!/logs/tm.tar.gz!/gc.log.gz', 'gc.log', '[0.018s][info][gc] Using G1\n'],
        ['all.tar!/incident.zip!/dumps.zip!/rest/checkpoints.json', 'checkpoints.json', '{"counts":{}}'],
      ]);
      expect(await countSpoolDirs()).toBe(spoolsBefore);
    });
  });

  it('lists zip-based documents such as jars without opening them', async () => {
    await withTempDir(async (dir) => {
      const jar = await put(dir, 'job.jar', await makeZip([{ name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\n' }]));
      const { entries } = await collect([jar]);
      expect(entries.map((e) => e.path)).toEqual(['job.jar']);
    });
  });

  it('drains members the consumer does not read so the archive goes on', async () => {
    await withTempDir(async (dir) => {
      const big = 'x'.repeat(300_000);
      const tar = gzip(await makeTar([{ name: 'a.log', data: big }, { name: 'b.log', data: 'second' }]));
      const zip = await makeZip([{ name: 'c.log', data: big }, { name: 'd.log', data: 'fourth' }]);
      const inputs = [await put(dir, 't.tgz', tar), await put(dir, 'z.zip', zip)];
      const { entries } = await collect(inputs, { onEntry: async (entry) => !entry.path.endsWith('a.log') && !entry.path.endsWith('c.log') });
      expect(entries.map((e) => [e.path, e.text])).toEqual([
        ['t.tgz!/b.log', 'second'],
        ['z.zip!/d.log', 'fourth'],
      ]);
    });
  });
});

describe('path escapes', () => {
  it('skips zip members with .., absolute, drive-letter and backslash names and keeps the rest', async () => {
    await withTempDir(async (dir) => {
      const zip = await put(dir, 'evil.zip', storedZip([
        { name: '../x', data: 'escape' },
        { name: '/etc/passwd', data: 'root' },
        { name: 'C:\\Windows\\evil.dll', data: 'dll' },
        { name: '..\\..\\boot.ini', data: 'boot' },
        { name: 'logs/../../up.log', data: 'up' },
        { name: 'logs\\ok.log', data: 'fine' },
      ]));
      const { entries, warnings } = await collect([zip]);
      expect(entries.map((e) => [e.path, e.text])).toEqual([['evil.zip!/logs/ok.log', 'fine']]);
      expect(warnings.map((w) => w.message)).toEqual([
        "skipped '../x' in 'evil.zip': '..' segment would escape the archive",
        "skipped '/etc/passwd' in 'evil.zip': absolute path",
        "skipped 'C:/Windows/evil.dll' in 'evil.zip': absolute Windows path with a drive letter",
        "skipped '../../boot.ini' in 'evil.zip': '..' segment would escape the archive",
        "skipped 'logs/../../up.log' in 'evil.zip': '..' segment would escape the archive",
      ]);
    });
  });

  it('skips tar members with .. and absolute names, symlinks and hard links, never following them', async () => {
    await withTempDir(async (dir) => {
      const tar = await put(dir, 'evil.tar', await makeTar([
        { name: '../../etc/cron.d/x', data: 'escape' },
        { name: '/etc/passwd', data: 'root' },
        { name: 'link-out', type: 'symlink', linkname: '/etc/shadow' },
        { name: 'hard', type: 'link', linkname: 'ok.log' },
        { name: 'ok.log', data: 'fine' },
      ]));
      const { entries, warnings } = await collect([tar]);
      expect(entries.map((e) => [e.path, e.text])).toEqual([['evil.tar!/ok.log', 'fine']]);
      expect(warnings.map((w) => w.message)).toEqual([
        "skipped '../../etc/cron.d/x' in 'evil.tar': '..' segment would escape the archive",
        "skipped '/etc/passwd' in 'evil.tar': absolute path",
        "skipped 'evil.tar!/link-out': a symbolic link to '/etc/shadow' (links in archives are never followed)",
        "skipped 'evil.tar!/hard': a hard link to 'ok.log' (links in archives are never followed)",
      ]);
    });
  });
});

describe('caps', () => {
  it('stops at the entry-count cap with a warning naming the first entry not read', async () => {
    await withTempDir(async (dir) => {
      const zip = await put(dir, 'many.zip', await makeZip(['a', 'b', 'c', 'd', 'e'].map((n) => ({ name: `${n}.log`, data: n }))));
      const { entries, warnings } = await collect([zip], { limits: { maxEntries: 3 } });
      expect(entries.map((e) => e.path)).toEqual(['many.zip!/a.log', 'many.zip!/b.log', 'many.zip!/c.log']);
      expect(warnings).toEqual([{ path: 'many.zip!/d.log', message: "entry count cap of 3 reached at 'many.zip!/d.log'; it and everything after it were not read" }]);
    });
  });

  it('enforces the total-bytes cap both from declared sizes and while streaming', async () => {
    await withTempDir(async (dir) => {
      const zip = await put(dir, 'sizes.zip', await makeZip([
        { name: 'a.log', data: 'a'.repeat(600) },
        { name: 'b.log', data: 'b'.repeat(600) },
        { name: 'c.log', data: 'c'.repeat(100) },
      ]));
      const declared = await collect([zip], { limits: { maxTotalBytes: 1000 } });
      expect(declared.entries.map((e) => e.path)).toEqual(['sizes.zip!/a.log', 'sizes.zip!/c.log']);
      expect(declared.warnings[0].message).toMatch(/skipped 'sizes\.zip!\/b\.log': its 600 bytes would take the bundle over the total cap of 1000 bytes/);

      const gz = await put(dir, 'big.log.gz', gzip('y'.repeat(5000)));
      const streamed = await collect([gz, zip], { limits: { maxTotalBytes: 1000 } });
      expect(streamed.entries).toHaveLength(1);
      expect(streamed.entries[0].error).toMatch(/total uncompressed bytes cap of 1000/);
      expect(streamed.warnings).toEqual([
        { path: 'big.log.gz', message: "total uncompressed bytes cap of 1000 reached inside 'big.log.gz'; it and everything after it were not read" },
      ]);
    });
  });

  it('refuses a 50 MB zero-filled member over the compression-ratio cap in zip, gz and tar.gz', async () => {
    await withTempDir(async (dir) => {
      const zeros = Buffer.alloc(50 * 1024 * 1024);
      const limits = { maxCompressionRatio: 50 };
      const zip = await put(dir, 'bomb.zip', await makeZip([{ name: 'zeros.bin', data: zeros }, { name: 'ok.log', data: 'fine' }]));
      const fromZip = await collect([zip], { limits });
      expect(fromZip.entries.map((e) => e.path)).toEqual(['bomb.zip!/ok.log']);
      expect(fromZip.warnings[0].message).toMatch(/^skipped 'bomb\.zip!\/zeros\.bin': compression ratio \d+:1 \(52428800 bytes from \d+\) is over the cap of 50:1/);

      const gz = await put(dir, 'zeros.log.gz', gzip(zeros));
      const fromGz = await collect([gz], { limits, keepText: 0 });
      expect(fromGz.entries).toHaveLength(1);
      expect(fromGz.entries[0].error).toMatch(/compression ratio over 50:1/);
      expect(fromGz.entries[0].bytes).toBeLessThan(8 * 1024 * 1024);
      expect(fromGz.warnings[0].message).toMatch(/^'zeros\.log\.gz' stopped: gzip compression ratio over 50:1/);

      const tgz = await put(dir, 'zeros.tgz', gzip(await makeTar([{ name: 'ok.log', data: 'first' }, { name: 'zeros.bin', data: zeros }])));
      const fromTgz = await collect([tgz], { limits, keepText: 10 });
      expect(fromTgz.entries.map((e) => [e.path, e.error === undefined])).toEqual([
        ['zeros.tgz!/ok.log', true],
        ['zeros.tgz!/zeros.bin', false],
      ]);
      expect(fromTgz.warnings.map((w) => w.path)).toEqual(['zeros.tgz']);
    });
  });

  it('skips archives nested deeper than the cap', async () => {
    await withTempDir(async (dir) => {
      const tgz = gzip(await makeTar([{ name: 'tm.log', data: 'level 2' }, { name: 'gc.log.gz', data: gzip('level 3') }]));
      const zip = await put(dir, 'outer.zip', await makeZip([{ name: 'tm.tar.gz', data: tgz }]));
      const { entries, warnings } = await collect([zip], { limits: { maxNestingDepth: 2 } });
      expect(entries.map((e) => e.path)).toEqual(['outer.zip!/tm.tar.gz!/tm.log']);
      expect(warnings).toEqual([
        { path: 'outer.zip!/tm.tar.gz!/gc.log.gz', message: "'outer.zip!/tm.tar.gz!/gc.log.gz' is an archive nested 3 levels deep, over the cap of 2; skipped" },
      ]);
    });
  });
});

describe('damaged archives', () => {
  it('keeps the bytes of a truncated gzip that did decompress and warns', async () => {
    await withTempDir(async (dir) => {
      const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${Math.sin(i)}\n`).join('');
      const full = gzip(lines);
      const gz = await put(dir, 'tm.log.gz', full.subarray(0, Math.floor(full.length / 2)));
      const { entries, warnings } = await collect([gz]);
      expect(entries).toHaveLength(1);
      expect(entries[0].error).toBeUndefined();
      expect(entries[0].bytes).toBeGreaterThan(0);
      expect(lines.startsWith(entries[0].text)).toBe(true);
      expect(warnings).toEqual([
        { path: 'tm.log.gz', message: `gzip stream of 'tm.log.gz' is truncated (unexpected end of file); kept the ${entries[0].bytes} bytes that decompressed` },
      ]);
    });
  });

  it('keeps the members of a truncated tar read before the cut', async () => {
    await withTempDir(async (dir) => {
      const tar = await makeTar([{ name: 'a.log', data: 'complete' }, { name: 'b.log', data: 'z'.repeat(4000) }]);
      const input = await put(dir, 'cut.tar', tar.subarray(0, 512 + 512 + 512 + 1024));
      const { entries, warnings } = await collect([input]);
      expect(entries.map((e) => [e.path, e.bytes])).toEqual([
        ['cut.tar!/a.log', 8],
        ['cut.tar!/b.log', 1024],
      ]);
      expect(warnings.map((w) => w.message)).toEqual([
        "reading 'cut.tar!/b.log' failed after 1024 bytes (Unexpected end of data); the bytes before were kept",
        "tar archive 'cut.tar' is truncated or corrupt (Unexpected end of data); the members before this point were kept",
      ]);
    });
  });

  it('keeps every decompressed byte of a large member in a tar.gz cut mid-member', async () => {
    await withTempDir(async (dir) => {
      const body = Array.from({ length: 60_000 }, (_, i) => `${i} ${Math.cos(i)}\n`).join('');
      const full = gzip(await makeTar([{ name: 'first.log', data: 'one' }, { name: 'big.log', data: body }]));
      const input = await put(dir, 'cut.tgz', full.subarray(0, Math.floor(full.length * 0.6)));
      const { entries, warnings } = await collect([input]);
      expect(entries.map((e) => e.path)).toEqual(['cut.tgz!/first.log', 'cut.tgz!/big.log']);
      const big = entries[1];
      expect(big.bytes).toBeGreaterThan(100_000);
      expect(body.startsWith(big.text)).toBe(true);
      // Every decompressed byte after the three 512-byte blocks (header, 'one' padded, header) reached the reader.
      const decompressed = Number(/kept the (\d+) bytes/.exec(warnings[0].message)?.[1]);
      expect(big.bytes).toBe(decompressed - 3 * 512);
      expect(warnings.map((w) => w.message.replace(/\d+ bytes/g, 'N bytes'))).toEqual([
        "gzip stream of 'cut.tgz' is truncated (unexpected end of file); kept the N bytes that decompressed",
        "reading 'cut.tgz!/big.log' failed after N bytes (Unexpected end of data); the bytes before were kept",
        "tar archive 'cut.tgz' is truncated or corrupt (Unexpected end of data); the members before this point were kept",
      ]);
    });
  });

  it('reports a zip whose central directory is cut off', async () => {
    await withTempDir(async (dir) => {
      const zip = await makeZip([{ name: 'a.log', data: 'alpha' }]);
      const input = await put(dir, 'cut.zip', zip.subarray(0, zip.length - 10));
      const { entries, warnings } = await collect([input]);
      expect(entries).toEqual([]);
      expect(warnings[0].message).toMatch(/^'cut\.zip' is not a readable zip \(.*end of central directory.*\); nothing was read from it$/i);
    });
  });

  it('skips a member with a bad local header and keeps the others', async () => {
    await withTempDir(async (dir) => {
      const zip = storedZip([{ name: 'a.log', data: 'alpha' }, { name: 'b.log', data: 'beta' }, { name: 'c.log', data: 'gamma' }]);
      const secondHeader = 30 + 'a.log'.length + 'alpha'.length;
      zip.writeUInt32LE(0xdeadbeef, secondHeader);
      const { entries, warnings } = await collect([await put(dir, 'bad.zip', zip)]);
      expect(entries.map((e) => e.text)).toEqual(['alpha', 'gamma']);
      expect(warnings).toEqual([
        { path: 'bad.zip!/b.log', message: "skipped 'bad.zip!/b.log': cannot be read (invalid local file header signature: 0xdeadbeef)" },
      ]);
    });
  });

  it('keeps a member whose CRC does not match and says it is corrupt', async () => {
    await withTempDir(async (dir) => {
      const zip = storedZip([{ name: 'a.log', data: 'alpha' }]);
      zip[30 + 'a.log'.length] = 'A'.charCodeAt(0);
      const { entries, warnings } = await collect([await put(dir, 'crc.zip', zip)]);
      expect(entries.map((e) => e.text)).toEqual(['Alpha']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0].message).toMatch(/^CRC-32 mismatch in 'crc\.zip!\/a\.log' \(central directory [0-9a-f]{8}, data [0-9a-f]{8}\)/);
    });
  });

  it('keeps the members before a corrupt central-directory record', async () => {
    await withTempDir(async (dir) => {
      const zip = storedZip([{ name: 'a.log', data: 'alpha' }, { name: 'b.log', data: 'beta' }]);
      const locals = 2 * 30 + 'a.log'.length + 'alpha'.length + 'b.log'.length + 'beta'.length;
      zip.writeUInt32LE(0x12345678, locals + 46 + 'a.log'.length);
      const { entries, warnings } = await collect([await put(dir, 'cd.zip', zip)]);
      expect(entries.map((e) => e.text)).toEqual(['alpha']);
      expect(warnings[0].message).toMatch(/^zip 'cd\.zip' is corrupt \(invalid central directory file header signature: 0x12345678\); the members before this point were kept$/);
    });
  });
});

describe('YARN aggregated logs', () => {
  const section = (container: string, type: string, body: string, withLength: boolean): string =>
    [
      `Container: ${container} on host-7_45454`,
      '='.repeat(60),
      `LogType:${type}`,
      'Log Upload Time:Wed Jun 14 09:40:12 +0000 2023',
      ...(withLength ? [`LogLength:${Buffer.byteLength(body)}`] : []),
      'Log Contents:',
      `${body}\nEnd of LogType:${type}`,
      '*'.repeat(60),
      '',
      '',
    ].join('\n');

  it('splits one entry per container and LogType, with and without LogLength, also inside an archive', async () => {
    await withTempDir(async (dir) => {
      const jmBody = `${JM_LINE}${JM_LINE}`;
      const text =
        'INFO client.RMProxy: Connecting to ResourceManager at rm/10.0.0.1:8032\n' +
        section('container_e12_1686000000000_0001_01_000001', 'jobmanager.log', jmBody, true) +
        section('container_e12_1686000000000_0001_01_000001', 'jobmanager.out', '', true) +
        section('container_e12_1686000000000_0001_01_000003', 'taskmanager.log', TM_LINE, false) +
        section('container_e12_1686000000000_0001_01_000003', 'gc.log', 'no trailing newline', false);
      const plain = await put(dir, 'application_1_0001.log', text);
      const zip = await put(dir, 'yarn.zip', await makeZip([{ name: 'application_1_0001.log', data: text }]));
      const { entries, warnings } = await collect([plain, zip]);
      expect(warnings).toEqual([]);
      const expected = [
        ['container_e12_1686000000000_0001_01_000001/jobmanager.log', 'jobmanager.log', jmBody],
        ['container_e12_1686000000000_0001_01_000001/jobmanager.out', 'jobmanager.out', ''],
        ['container_e12_1686000000000_0001_01_000003/taskmanager.log', 'taskmanager.log', TM_LINE],
        ['container_e12_1686000000000_0001_01_000003/gc.log', 'gc.log', 'no trailing newline'],
      ];
      expect(entries.map((e) => [e.path, e.name, e.text])).toEqual([
        ...expected.map(([p, n, t]) => [`application_1_0001.log!/${p}`, n, t]),
        ...expected.map(([p, n, t]) => [`yarn.zip!/application_1_0001.log!/${p}`, n, t]),
      ]);
      expect(entries.every((e) => e.diskPath === undefined)).toBe(true);
    });
  });

  it('streams a large section without holding it and warns about a section cut short', async () => {
    await withTempDir(async (dir) => {
      const body = TM_LINE.repeat(40_000);
      const text = section('container_1_0001_01_000002', 'taskmanager.log', body, false).slice(0, -200);
      const { entries, warnings } = await collect([await put(dir, 'app.log', text)], { keepText: 100 });
      expect(entries).toHaveLength(1);
      const contentStart = text.indexOf('Log Contents:\n') + 'Log Contents:\n'.length;
      expect(entries[0].bytes).toBe(Buffer.byteLength(text) - contentStart);
      expect(entries[0].bytes).toBeGreaterThan(1_000_000);
      expect(warnings[0].message).toMatch(/no LogLength and no 'End of LogType' line before the end of the file/);
    });
  });
});

describe('cancellation and consumer errors', () => {
  it('stops with an AbortError when the signal is aborted', async () => {
    await withTempDir(async (dir) => {
      const zip = await put(dir, 'a.zip', await makeZip([{ name: '1.log', data: '1' }, { name: '2.log', data: '2' }]));
      const controller = new AbortController();
      const seen: string[] = [];
      const walking = collect([zip], {
        signal: controller.signal,
        onEntry: async (entry) => {
          seen.push(entry.path);
          controller.abort();
          return true;
        },
      });
      await expect(walking).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen).toEqual(['a.zip!/1.log']);
    });
  });

  it('rethrows the consumer error unchanged', async () => {
    await withTempDir(async (dir) => {
      const file = await put(dir, 'a.log', 'x');
      const failure = new Error('database is full');
      await expect(
        walkInputs([file], { onWarning: () => undefined, onEntry: async () => Promise.reject(failure) }),
      ).rejects.toBe(failure);
    });
  });
});

async function countSpoolDirs(): Promise<number> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('sluice-zip-')).length;
}
