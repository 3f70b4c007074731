import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import yazl from 'yazl';
import { walkInputs } from '../../../src-main/core/archive/walk.js';
import type { ArchiveLimits, BundleEntry, BundleWarning } from '../../../src-main/core/archive/types.js';

/** Archives are built at test time so every case states exactly what is inside. */

export interface ZipInput {
  name: string;
  data: Buffer | string;
  compress?: boolean;
  forceZip64Format?: boolean;
}

export async function makeZip(entries: readonly ZipInput[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    if (entry.name.endsWith('/')) {
      zip.addEmptyDirectory(entry.name);
      continue;
    }
    zip.addBuffer(Buffer.from(entry.data), entry.name, {
      compress: entry.compress ?? true,
      forceZip64Format: entry.forceZip64Format ?? false,
      mtime: new Date('2023-06-14T09:00:00Z'),
    });
  }
  zip.end();
  const parts: Buffer[] = [];
  for await (const chunk of zip.outputStream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

export interface TarInput {
  name: string;
  data?: Buffer | string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
}

export async function makeTar(entries: readonly TarInput[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const parts: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) parts.push(chunk as Buffer);
  })();
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (type === 'file') pack.entry({ name: entry.name, type }, Buffer.from(entry.data ?? ''), done);
      else pack.entry({ name: entry.name, type, linkname: entry.linkname }, done);
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(parts);
}

export function gzip(data: Buffer | string): Buffer {
  return gzipSync(Buffer.from(data));
}

/**
 * A minimal STORED zip written by hand, for names yazl refuses to write ('../x', '/etc/passwd'). Only what a
 * reader needs: local headers, central directory, end record.
 */
export function storedZip(entries: ReadonlyArray<{ name: string; data: Buffer | string }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.from(entry.data);
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export interface Collected {
  path: string;
  name: string;
  size?: number;
  diskPath?: string;
  text: string;
  bytes: number;
  error?: string;
}

export interface WalkResult {
  entries: Collected[];
  warnings: BundleWarning[];
}

export interface CollectOptions {
  limits?: Partial<ArchiveLimits>;
  signal?: AbortSignal;
  /** Keep only the first bytes of each entry's text (big fixtures). */
  keepText?: number;
  onEntry?: (entry: BundleEntry) => Promise<boolean>;
}

/** Walks inputs, reading every entry to its end, and records what came out. */
export async function collect(inputs: readonly string[], options: CollectOptions = {}): Promise<WalkResult> {
  const entries: Collected[] = [];
  const warnings: BundleWarning[] = [];
  await walkInputs(inputs, {
    limits: options.limits,
    signal: options.signal,
    onWarning: (warning) => warnings.push(warning),
    onEntry: async (entry) => {
      if (options.onEntry !== undefined && !(await options.onEntry(entry))) return;
      const record: Collected = { path: entry.path, name: entry.name, text: '', bytes: 0 };
      if (entry.size !== undefined) record.size = entry.size;
      if (entry.diskPath !== undefined) record.diskPath = entry.diskPath;
      const parts: Buffer[] = [];
      let kept = 0;
      try {
        for await (const chunk of entry.open()) {
          const buffer = chunk as Buffer;
          record.bytes += buffer.length;
          if (kept < (options.keepText ?? Infinity)) {
            parts.push(buffer);
            kept += buffer.length;
          }
        }
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      }
      record.text = Buffer.concat(parts).toString('utf8').slice(0, options.keepText ?? undefined);
      entries.push(record);
    },
  });
  return { entries, warnings };
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-archive-test-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function put(dir: string, name: string, data: Buffer | string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, data);
  return file;
}
