import type { Readable } from 'node:stream';

/** One file found in the inputs: a plain file, an archive member, or a part of a YARN aggregated log. */
export interface BundleEntry {
  /** Display path inside the bundle; archive levels are joined with '!/', e.g. 'incident.zip!/tm.tar.gz!/tm-1.log'. */
  path: string;
  /** File name used for detection, with compression suffixes removed ('gc.log.0.gz' → 'gc.log.0'). */
  name: string;
  /** Uncompressed size when known before reading. */
  size?: number;
  /** Set only for plain files on disk: lets the ingest checksum before parsing and skip re-imports early. */
  diskPath?: string;
  /** Opens the content stream. Called at most once; the stream must be consumed or destroyed before the walk continues. */
  open(): Readable;
  /**
   * Only for a plain file on disk (`diskPath`): the consumer will read the file itself (a parse worker does, with
   * buffers of its own), so several files can be read side by side; the walk counts the file's size against the
   * total cap and goes on once `onEntry` returns, closing the stream as usual.
   */
  handOff?(): void;
}

export interface ArchiveLimits {
  /** Total uncompressed bytes across the whole walk. */
  maxTotalBytes: number;
  maxEntries: number;
  /** Uncompressed / compressed, per entry, when both are known (zip) or observed (gzip). */
  maxCompressionRatio: number;
  /** Archives inside archives: 1 = an archive given directly, 2 = an archive inside it, … */
  maxNestingDepth: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxTotalBytes: 64 * 1024 ** 3,
  maxEntries: 100_000,
  maxCompressionRatio: 200,
  maxNestingDepth: 4,
};

/** A bad entry, skipped; the rest of the walk goes on. */
export interface BundleWarning {
  path: string;
  message: string;
}

export interface WalkOptions {
  limits?: Partial<ArchiveLimits>;
  signal?: AbortSignal;
  onWarning(warning: BundleWarning): void;
  /** Called for every regular file, one at a time (the walk awaits it; see BundleEntry.handOff). */
  onEntry(entry: BundleEntry): Promise<void>;
}
