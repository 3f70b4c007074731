/** What kind of container a byte stream is, judged by magic bytes first and the file name second. */
export type ContainerKind = 'zip' | 'gzip' | 'tar';

/** Zip-based formats that are single documents or programs, not bundles: listed as files, never opened. */
const ZIP_BASED_FILES = /\.(?:jar|war|ear|aar|apk|whl|nupkg|docx|xlsx|pptx|odt|ods|odp)$/;

const TAR_MAGIC_OFFSET = 257;

export function containerKind(head: Buffer, name: string): ContainerKind | undefined {
  const lower = name.toLowerCase();
  if (ZIP_BASED_FILES.test(lower)) return undefined;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b) {
    const signature = head.readUInt16LE(2);
    // Local file header, empty archive (end of central directory only), spanned-archive marker.
    if (signature === 0x0403 || signature === 0x0605 || signature === 0x0807) return 'zip';
  }
  if (head.length >= TAR_MAGIC_OFFSET + 5 && head.toString('latin1', TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + 5) === 'ustar') return 'tar';
  if (head.length === 0) return undefined;
  // Old (v7) tars have no magic; a zip may start with a stub (self-extracting). The name is the only hint left.
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar')) return 'tar';
  return undefined;
}

/** The name a decompressed gzip stream goes by: 'gc.log.0.gz' → 'gc.log.0', 'tm.tgz' → 'tm.tar'. */
export function nameWithoutGzipSuffix(name: string): string {
  if (/\.tgz$/i.test(name)) return name.slice(0, -4) + '.tar';
  return name.replace(/\.(?:gz|gzip)$/i, '');
}
