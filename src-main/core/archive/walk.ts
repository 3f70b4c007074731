import type { Dirent } from 'node:fs';
import { mkdtemp, open, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { ByteSource } from './byte-source.js';
import { gunzipChunks } from './gzip.js';
import { containerKind, nameWithoutGzipSuffix } from './magic.js';
import {
  CapExceeded,
  checkMemberName,
  ConsumerFailed,
  describeError,
  isUnwinding,
  WalkAborted,
  WalkHalted,
} from './safety.js';
import { walkTarMembers, type TarHeader } from './tar.js';
import { DEFAULT_LIMITS, type ArchiveLimits, type BundleEntry, type WalkOptions } from './types.js';
import { looksLikeYarnAggregatedLog, YARN_SNIFF_BYTES, YarnLogSplitter } from './yarn-aggregated.js';
import { crcChecked, nextZipMember, openZip, openZipMember, type ZipMember } from './zip.js';

/**
 * Walks folders, plain files and archives (zip, tar, tar.gz/tgz, gz, nested in each other) and hands every
 * regular file to `onEntry`, one at a time, as a stream (a plain file on disk may instead be handed off: the
 * consumer reads it itself, e.g. on another thread, while the walk goes on). Nothing is extracted to disk except a zip found inside
 * another archive, which yauzl can only read from a file: it is spooled to a temp folder and deleted after.
 *
 * Libraries: yauzl for zip (streams members, validates the central directory, handles zip64, maintained),
 * tar-stream for tar (pure streaming parser), node:zlib for gzip (built in). See zip.ts, tar.ts, gzip.ts.
 *
 * Safety: member names that would escape (`..`, absolute, drive letters, backslash tricks) are skipped, links in
 * tars are never followed, symlinks in folders are followed only when they stay inside the input folder; caps on
 * total bytes, entry count, compression ratio and nesting depth (types.ts). A bad member is skipped with a
 * warning naming it; a truncated or corrupt archive keeps what was read before the damage.
 */
export async function walkInputs(inputs: readonly string[], options: WalkOptions): Promise<void> {
  const walker = new BundleWalker(options);
  try {
    await walker.walk(inputs);
  } catch (error) {
    if (error instanceof WalkHalted) return;
    if (error instanceof ConsumerFailed) throw error.original;
    throw error;
  }
}

/**
 * Below this many uncompressed bytes the compression ratio is not judged: a small file of repeated lines can
 * compress 1000:1 and is harmless; bombs are about size.
 */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

interface ContentContext {
  /** Display path, levels joined by '!/'. */
  path: string;
  /** File name used for detection and container sniffing. */
  name: string;
  /** Number of archives this content is inside. */
  level: number;
  /** The content is a gzip stream's output: a tar inside is the same archive level (tar.gz). */
  fromGzip?: boolean;
  diskPath?: string;
  size?: number;
}

class BundleWalker {
  private readonly limits: ArchiveLimits;
  private entries = 0;
  private totalBytes = 0;
  private halted = false;

  constructor(private readonly options: WalkOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  async walk(inputs: readonly string[]): Promise<void> {
    for (const input of inputs) {
      this.checkAbort();
      const shown = basename(resolve(input));
      let info;
      try {
        info = await stat(input);
      } catch (error) {
        this.warn(shown, `cannot read input '${input}': ${describeError(error)}`);
        continue;
      }
      if (info.isDirectory()) await this.walkFolder(input, shown);
      else if (info.isFile()) await this.walkDiskFile(input, shown, info.size);
      else this.warn(shown, `input '${input}' is neither a regular file nor a folder; skipped`);
    }
  }

  // ── folders and files on disk ──────────────────────────────────────────────────────────────────────────────

  private async walkFolder(folder: string, shown: string): Promise<void> {
    const realRoot = await realpath(folder);
    await this.walkDirectory(folder, shown, realRoot);
  }

  private async walkDirectory(directory: string, shown: string, realRoot: string): Promise<void> {
    let children: Dirent[];
    try {
      children = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      this.warn(shown, `cannot list folder '${shown}': ${describeError(error)}`);
      return;
    }
    // Code-unit order, not locale order: the same folder must give the same walk on every machine.
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      this.checkAbort();
      const full = join(directory, child.name);
      const childShown = `${shown}/${child.name}`;
      if (child.isDirectory()) await this.walkDirectory(full, childShown, realRoot);
      else if (child.isFile()) await this.walkDiskFileAt(full, childShown);
      else if (child.isSymbolicLink()) await this.followSymlink(full, childShown, realRoot);
      else this.warn(childShown, `'${childShown}' is not a regular file (fifo, socket or device); skipped`);
    }
  }

  private async followSymlink(link: string, shown: string, realRoot: string): Promise<void> {
    let target: string;
    try {
      target = await realpath(link);
    } catch {
      this.warn(shown, `symlink '${shown}' is broken; skipped`);
      return;
    }
    if (!isInside(realRoot, target)) {
      this.warn(shown, `symlink '${shown}' points outside the input folder (to '${target}'); not followed`);
      return;
    }
    const info = await stat(target);
    if (info.isFile()) await this.walkDiskFile(target, shown, info.size);
    else if (info.isDirectory()) {
      this.warn(shown, `symlink '${shown}' points to a folder inside the input; not followed (that folder is walked where it is, and links can loop)`);
    } else this.warn(shown, `symlink '${shown}' points to something that is not a regular file; skipped`);
  }

  private async walkDiskFileAt(file: string, shown: string): Promise<void> {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (error) {
      this.warn(shown, `cannot read '${shown}': ${describeError(error)}`);
      return;
    }
    await this.walkDiskFile(file, shown, size);
  }

  private async walkDiskFile(file: string, shown: string, size: number): Promise<void> {
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      this.warn(shown, `cannot open '${shown}': ${describeError(error)}`);
      return;
    }
    const stream = handle.createReadStream({ highWaterMark: 1 << 20 });
    try {
      await this.handleNested(new ByteSource(stream), { path: shown, name: basename(shown), level: 0, diskPath: file, size });
    } finally {
      stream.destroy();
      await handle.close().catch(() => undefined);
    }
  }

  // ── content of any origin ───────────────────────────────────────────────────────────────────────────────────

  /** handleContent, with errors of this one stream reported instead of ending the walk. */
  private async handleNested(source: ByteSource, context: ContentContext): Promise<void> {
    try {
      await this.handleContent(source, context);
    } catch (error) {
      if (isUnwinding(error)) throw error;
      if (error instanceof CapExceeded) return;
      this.warn(context.path, `reading '${context.path}' failed: ${describeError(error)}`);
    }
  }

  private async handleContent(source: ByteSource, context: ContentContext): Promise<void> {
    const head = await source.peek(YARN_SNIFF_BYTES);
    const container = containerKind(head, context.name);
    if (container === undefined) {
      if (looksLikeYarnAggregatedLog(head)) await this.splitYarnLog(source, context);
      else await this.deliver(source, context);
      return;
    }
    const level = container === 'tar' && context.fromGzip === true ? context.level : context.level + 1;
    if (level > this.limits.maxNestingDepth) {
      this.warn(context.path, `'${context.path}' is an archive nested ${level} levels deep, over the cap of ${this.limits.maxNestingDepth}; skipped`);
      return;
    }
    if (container === 'zip') {
      if (context.diskPath !== undefined) await this.walkZipFile(context.diskPath, context.path, level);
      else await this.walkSpooledZip(source, context.path, level);
    } else if (container === 'gzip') {
      await this.walkGzip(source, context, level);
    } else {
      await this.walkTar(source, context.path, level);
    }
  }

  // ── gzip ────────────────────────────────────────────────────────────────────────────────────────────────────

  private async walkGzip(source: ByteSource, context: ContentContext, level: number): Promise<void> {
    const { path } = context;
    const chunks = gunzipChunks(source, {
      maxRatio: this.limits.maxCompressionRatio,
      ratioFloorBytes: RATIO_FLOOR_BYTES,
      onDataError: (message, bytesOut) => {
        const what = /unexpected end/i.test(message) ? 'is truncated' : 'is corrupt';
        this.warn(path, `gzip stream of '${path}' ${what} (${message}); kept the ${bytesOut} bytes that decompressed`);
      },
      onRatioExceeded: (bytesOut, bytesIn) => {
        const message = `'${path}' stopped: gzip compression ratio over ${this.limits.maxCompressionRatio}:1 (${bytesOut} bytes out of ${bytesIn} compressed; gzip bomb?)`;
        this.warn(path, message);
        return new CapExceeded(message);
      },
    });
    try {
      await this.handleContent(new ByteSource(chunks), { path, name: nameWithoutGzipSuffix(context.name), level, fromGzip: true });
    } finally {
      await chunks.return(undefined);
    }
  }

  // ── tar ─────────────────────────────────────────────────────────────────────────────────────────────────────

  private async walkTar(source: ByteSource, path: string, level: number): Promise<void> {
    try {
      await walkTarMembers(source, (header, content) => this.visitTarMember(header, content, path, level), () => this.checkAbort());
    } catch (error) {
      if (isUnwinding(error)) throw error;
      if (error instanceof CapExceeded) return;
      this.warn(path, `tar archive '${path}' is truncated or corrupt (${describeError(error)}); the members before this point were kept`);
    }
  }

  private async visitTarMember(header: TarHeader, content: ByteSource, path: string, level: number): Promise<void> {
    const type = header.type ?? 'file';
    if (type === 'directory') return;
    const checked = checkMemberName(header.name);
    if (!checked.ok) {
      this.warn(`${path}!/${header.name}`, `skipped '${header.name}' in '${path}': ${checked.reason}`);
      return;
    }
    const memberPath = `${path}!/${checked.path}`;
    if (type === 'symlink' || type === 'link') {
      const kind = type === 'symlink' ? 'a symbolic link' : 'a hard link';
      this.warn(memberPath, `skipped '${memberPath}': ${kind} to '${header.linkname}' (links in archives are never followed)`);
      return;
    }
    if (type !== 'file' && type !== 'contiguous-file') {
      this.warn(memberPath, `skipped '${memberPath}': a ${type}, not a regular file`);
      return;
    }
    await this.handleNested(content, { path: memberPath, name: lastSegment(checked.path), level, size: header.size });
  }

  // ── zip ─────────────────────────────────────────────────────────────────────────────────────────────────────

  private async walkSpooledZip(source: ByteSource, path: string, level: number): Promise<void> {
    const folder = await mkdtemp(join(tmpdir(), 'sluice-zip-'));
    try {
      const file = join(folder, 'nested.zip');
      if (await this.spool(source, file, path)) await this.walkZipFile(file, path, level);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  /** Copies a nested zip to a temp file; false when it was too large. */
  private async spool(source: ByteSource, file: string, path: string): Promise<boolean> {
    const handle = await open(file, 'w');
    let written = 0;
    try {
      for (;;) {
        this.checkAbort();
        let chunk: Buffer | undefined;
        try {
          chunk = await source.next();
        } catch (error) {
          if (isUnwinding(error) || error instanceof CapExceeded) throw error;
          this.warn(path, `reading nested zip '${path}' failed after ${written} bytes (${describeError(error)}); reading what arrived`);
          return true;
        }
        if (chunk === undefined) return true;
        written += chunk.length;
        if (this.totalBytes + written > this.limits.maxTotalBytes) {
          this.warn(path, `nested zip '${path}' is larger than the ${this.limits.maxTotalBytes - this.totalBytes} bytes left under the total cap; skipped`);
          return false;
        }
        await handle.write(chunk);
      }
    } finally {
      await handle.close();
    }
  }

  private async walkZipFile(file: string, path: string, level: number): Promise<void> {
    let zip: yauzl.ZipFile;
    try {
      zip = await openZip(file);
    } catch (error) {
      this.warn(path, `'${path}' is not a readable zip (${describeError(error)}); nothing was read from it`);
      return;
    }
    try {
      for (;;) {
        this.checkAbort();
        const member = await nextZipMember(zip);
        if (member === undefined) return;
        await this.visitZipMember(zip, member, path, level);
      }
    } catch (error) {
      if (isUnwinding(error)) throw error;
      this.warn(path, `zip '${path}' is corrupt (${describeError(error)}); the members before this point were kept`);
    } finally {
      zip.close();
    }
  }

  private async visitZipMember(zip: yauzl.ZipFile, member: ZipMember, path: string, level: number): Promise<void> {
    if (member.isDirectory) return;
    const checked = checkMemberName(member.name);
    if (!checked.ok) {
      this.warn(`${path}!/${member.name}`, `skipped '${member.name}' in '${path}': ${checked.reason}`);
      return;
    }
    const memberPath = `${path}!/${checked.path}`;
    const skip = (reason: string): void => this.warn(memberPath, `skipped '${memberPath}': ${reason}`);
    if (member.isSymlink) return skip('a symbolic link (links in archives are never followed)');
    if (member.isEncrypted) return skip('encrypted');
    const { uncompressedSize, compressedSize } = member;
    const maxRatio = this.limits.maxCompressionRatio;
    if (uncompressedSize > RATIO_FLOOR_BYTES && uncompressedSize > maxRatio * compressedSize) {
      const ratio = compressedSize === 0 ? '∞' : Math.round(uncompressedSize / compressedSize).toString();
      return skip(`compression ratio ${ratio}:1 (${uncompressedSize} bytes from ${compressedSize}) is over the cap of ${maxRatio}:1 (zip bomb?)`);
    }
    if (this.totalBytes + uncompressedSize > this.limits.maxTotalBytes) {
      return skip(`its ${uncompressedSize} bytes would take the bundle over the total cap of ${this.limits.maxTotalBytes} bytes`);
    }
    let stream: Readable;
    try {
      stream = await openZipMember(zip, member);
    } catch (error) {
      return skip(`cannot be read (${describeError(error)})`);
    }
    const checkedBytes = crcChecked(stream, member.crc32, (actual) => {
      const hex = (value: number): string => value.toString(16).padStart(8, '0');
      this.warn(memberPath, `CRC-32 mismatch in '${memberPath}' (central directory ${hex(member.crc32)}, data ${hex(actual)}): the data is corrupt; what was read was kept`);
    });
    try {
      await this.handleNested(new ByteSource(checkedBytes), { path: memberPath, name: lastSegment(checked.path), level, size: uncompressedSize });
    } finally {
      stream.destroy();
    }
  }

  // ── YARN aggregated logs ────────────────────────────────────────────────────────────────────────────────────

  private async splitYarnLog(source: ByteSource, context: ContentContext): Promise<void> {
    const splitter = new YarnLogSplitter(source, (message) => this.warn(context.path, `'${context.path}' (YARN aggregated log): ${message}`));
    const seen = new Map<string, number>();
    try {
      for (;;) {
        this.checkAbort();
        const next = await splitter.nextSection();
        if (next === undefined) return;
        const { section, content } = next;
        const checked = checkMemberName(section.logType);
        const container = section.containerId === undefined ? '' : `${section.containerId}/`;
        if (!checked.ok) {
          this.warn(`${context.path}!/${container}${section.logType}`, `skipped section LogType '${section.logType}' in '${context.path}': ${checked.reason}`);
          continue;
        }
        const plainPath = `${context.path}!/${container}${checked.path}`;
        const count = (seen.get(plainPath) ?? 0) + 1;
        seen.set(plainPath, count);
        // The same file can be aggregated twice (rolling aggregation); paths stay unique.
        const sectionPath = count === 1 ? plainPath : `${plainPath}#${count}`;
        await this.deliver(new ByteSource(content), {
          path: sectionPath,
          name: lastSegment(checked.path),
          level: context.level,
          size: section.declaredLength,
        });
      }
    } catch (error) {
      if (isUnwinding(error) || error instanceof CapExceeded) throw error;
      this.warn(context.path, `splitting YARN aggregated log '${context.path}' stopped (${describeError(error)}); the sections before were kept`);
    }
  }

  // ── leaves ──────────────────────────────────────────────────────────────────────────────────────────────────

  private async deliver(source: ByteSource, context: ContentContext): Promise<void> {
    this.checkAbort();
    this.entries++;
    if (this.entries > this.limits.maxEntries) {
      this.halt(context.path, `entry count cap of ${this.limits.maxEntries} reached at '${context.path}'; it and everything after it were not read`);
    }
    if (context.size !== undefined && this.totalBytes + context.size > this.limits.maxTotalBytes) {
      this.warn(context.path, `skipped '${context.path}': its ${context.size} bytes would take the bundle over the total cap of ${this.limits.maxTotalBytes} bytes`);
      return;
    }
    let stream: Readable | undefined;
    const read = { bytes: 0 };
    const entry: BundleEntry = {
      path: context.path,
      name: context.name,
      open: () => {
        if (stream !== undefined) throw new Error(`'${context.path}' was opened twice`);
        stream = Readable.from(this.leafChunks(source, context.path, read), { objectMode: false });
        return stream;
      },
    };
    if (context.size !== undefined) entry.size = context.size;
    if (context.diskPath !== undefined) {
      entry.diskPath = context.diskPath;
      const size = context.size ?? 0;
      // The consumer reads the rest of the file itself: it counts against the total now (it fitted above).
      entry.handOff = () => {
        this.totalBytes += Math.max(0, size - read.bytes);
      };
    }
    try {
      await this.options.onEntry(entry);
    } catch (error) {
      throw new ConsumerFailed(error);
    } finally {
      if (stream !== undefined) await closeStream(stream);
    }
    if (this.halted) throw new WalkHalted('total bytes cap reached');
  }

  /** The bytes handed to the consumer: counted against the total cap; a read error ends the entry with a warning. */
  private async *leafChunks(source: ByteSource, path: string, read: { bytes: number }): AsyncGenerator<Buffer> {
    let bytes = 0;
    for (;;) {
      let chunk: Buffer | undefined;
      try {
        chunk = await source.next();
      } catch (error) {
        if (isUnwinding(error) || error instanceof CapExceeded) throw error;
        this.warn(path, `reading '${path}' failed after ${bytes} bytes (${describeError(error)}); the bytes before were kept`);
        return;
      }
      if (chunk === undefined) return;
      bytes += chunk.length;
      read.bytes = bytes;
      this.totalBytes += chunk.length;
      if (this.totalBytes > this.limits.maxTotalBytes) {
        this.halt(path, `total uncompressed bytes cap of ${this.limits.maxTotalBytes} reached inside '${path}'; it and everything after it were not read`);
      }
      yield chunk;
    }
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────────────────────

  private halt(path: string, message: string): never {
    this.halted = true;
    this.warn(path, message);
    throw new WalkHalted(message);
  }

  private warn(path: string, message: string): void {
    this.options.onWarning({ path, message });
  }

  private checkAbort(): void {
    const signal = this.options.signal;
    if (signal?.aborted === true) throw new WalkAborted(signal.reason);
  }
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Destroys a stream handed to the consumer and waits until its generator has stopped reading the source. */
async function closeStream(stream: Readable): Promise<void> {
  if (stream.closed) return;
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  stream.destroy();
  await closed;
}
