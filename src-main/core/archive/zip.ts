import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

/**
 * Zip reading through yauzl: it reads the central directory first (so sizes and the compression ratio are known
 * before a member is opened), validates it, supports zip64, streams each member with bounded memory and is
 * actively maintained. It needs random access, which is why a zip found inside another archive is spooled to a
 * temp file first. Names are decoded here rather than by yauzl because yauzl rejects the whole zip on the first
 * unsafe name, and Sluice wants to skip just that member.
 */

export interface ZipMember {
  /** Decoded name, backslashes already turned into '/'. */
  name: string;
  isDirectory: boolean;
  isSymlink: boolean;
  isEncrypted: boolean;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  entry: yauzl.Entry;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const MADE_BY_UNIX = 3;

export async function openZip(file: string): Promise<yauzl.ZipFile> {
  return yauzl.openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
}

/** The next central-directory entry, undefined at the end; rejects when the central directory is corrupt. */
export function nextZipMember(zip: yauzl.ZipFile): Promise<ZipMember | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => {
      cleanup();
      try {
        resolve(describeMember(entry));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve(undefined);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function describeMember(entry: yauzl.Entry): ZipMember {
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
  const unixMode = entry.versionMadeBy >>> 8 === MADE_BY_UNIX ? entry.externalFileAttributes >>> 16 : 0;
  return {
    name,
    isDirectory: name.endsWith('/'),
    isSymlink: (unixMode & S_IFMT) === S_IFLNK,
    isEncrypted: entry.isEncrypted(),
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    crc32: entry.crc32,
    entry,
  };
}

export function openZipMember(zip: yauzl.ZipFile, member: ZipMember): Promise<Readable> {
  return zip.openReadStreamPromise(member.entry);
}

/**
 * Passes a member's bytes through and compares their CRC-32 with the central directory's at the end (yauzl
 * checks sizes but not CRCs). A mismatch is reported, not thrown: the bytes were already handed on.
 */
export async function* crcChecked(
  chunks: AsyncIterable<unknown>,
  expected: number,
  onMismatch: (actual: number) => void,
): AsyncGenerator<Buffer> {
  let crc = 0;
  for await (const value of chunks) {
    const chunk = value as Buffer;
    crc = crc32(chunk, crc);
    yield chunk;
  }
  if (crc >>> 0 !== expected >>> 0) onMismatch(crc >>> 0);
}
