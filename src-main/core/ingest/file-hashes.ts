import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileChunks } from './file-bytes.js';

/**
 * The sha256 of files on disk: of one file the caller waits for (`sha256OfFile`, OpenSSL), or of many side by side
 * (`FileHasher`, the parse pool's sources).
 *
 * OpenSSL hashes one message at a time, at ~8 cycles per byte on x86-64 CPUs without the SHA extensions, and that
 * was a fifth of an ingest's CPU time. The rounds of one message depend on each other but those of different
 * files do not, so the native addon `@sluice/sha256-lanes` (src-main/native/sha256-lanes) runs eight files in the
 * eight 32-bit lanes of an AVX2 register: eight cost about what two cost OpenSSL (four: half of it). One file
 * alone in the lanes takes 2.6 times as long as OpenSSL, so a file that would be alone goes to OpenSSL.
 * Where the addon is missing (no compiler at install) or useless (another CPU, or one with the SHA
 * extensions), `FileHasher` hashes each file with OpenSSL.
 */

/** The file's sha256; undefined when `signal` aborts first. */
export async function sha256OfFile(path: string, signal?: AbortSignal): Promise<string | undefined> {
  const hash = createHash('sha256');
  for await (const chunk of fileChunks(path)) {
    if (signal?.aborted === true) return undefined;
    hash.update(chunk);
  }
  return hash.digest('hex');
}

/** `@sluice/sha256-lanes` (sha256_lanes.c). */
export interface LanesAddon {
  /** The kernel the lanes run on here ('avx512vl', 'avx2'), 'sha-ni' where OpenSSL is faster, or ''. */
  features(): string;
  /**
   * Runs every whole 64-byte block of `chunks[l]` through lane l's state, the eight words at `states[8 l]` (an
   * undefined chunk leaves its lane as it is), with the best kernel or the one named; each chunk's length must be
   * a multiple of 64. Throws where the CPU cannot run the kernel.
   */
  compress(states: Uint32Array, chunks: ReadonlyArray<Uint8Array | undefined>, kernel?: 'avx512vl' | 'avx2'): void;
}

/** The addon when it is built and its lanes run on this CPU, else undefined. */
export function loadLanes(): LanesAddon | undefined {
  try {
    const addon = createRequire(import.meta.url)('@sluice/sha256-lanes') as LanesAddon;
    return LANE_FEATURES.includes(addon.features()) ? addon : undefined;
  } catch {
    return undefined;
  }
}

const LANE_FEATURES = ['avx512vl', 'avx2'];
const LANES = 8;
const WORDS = 8;
const BLOCK = 64;
/** Bytes read per lane and round: eight lanes hold 4 MB. */
const READ_BYTES = 1 << 19;
/** How many times longer a file takes alone in the lanes than with OpenSSL (141 against 370 MB/s, measured). */
const ONE_LANE_SLOWDOWN = 2.6;

export interface FileHasherOptions {
  /** Smaller files go to OpenSSL at once: they cost little either way and their merge should not wait. */
  laneMinBytes: number;
  /**
   * How long a large file waits for company before it goes to OpenSSL alone. The walk hands over the files of a
   * folder some 10–150 ms apart (it reads and sniffs each), and a 64 MB file takes longer than this to parse.
   */
  gatherMs: number;
}

const DEFAULT_OPTIONS: FileHasherOptions = { laneMinBytes: 64 << 20, gatherMs: 250 };
export const INITIAL_STATE = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

interface Request {
  path: string;
  size: number;
  signal: AbortSignal | undefined;
  resolve(digest: string | undefined): void;
  reject(error: unknown): void;
}

interface Lane {
  request: Request;
  handle: FileHandle;
  /** The lane's buffer: the bytes read but not hashed yet (`total` mod 64, less than a block) sit at its start. */
  buffer: Buffer;
  /** Bytes read so far: where the next read starts. */
  total: number;
}

/**
 * The last one or two blocks of a message of `length` bytes that ends with `tail` (less than a block): the tail,
 * a 1 bit, zeros, and the length in bits (FIPS 180-4 §5.1.1).
 */
export function lastBlocks(tail: Uint8Array, length: number): Buffer {
  const blocks = Buffer.alloc(tail.length < BLOCK - 8 ? BLOCK : 2 * BLOCK);
  blocks.set(tail);
  blocks[tail.length] = 0x80;
  blocks.writeBigUInt64BE(BigInt(length) * 8n, blocks.length - 8);
  return blocks;
}

function hashWithOpenSsl(request: Request): void {
  sha256OfFile(request.path, request.signal).then(request.resolve, request.reject);
}

/**
 * Hashes the files it is given side by side, up to eight large ones at a time in the addon's lanes (the others
 * wait in order), each round reading the next half MB of every file in a lane and hashing all of them in one
 * call. A file that would be alone in the lanes is hashed with OpenSSL: a small one, one that no other joins
 * within `gatherMs`, and one left over by the others when OpenSSL hashing it again from the start is faster than
 * finishing it alone. Without the addon every file goes to OpenSSL.
 */
export class FileHasher {
  private readonly waiting: Request[] = [];
  private readonly lanes: Array<Lane | undefined> = new Array<Lane | undefined>(LANES).fill(undefined);
  private readonly buffers: Buffer[] = [];
  private readonly states = new Uint32Array(LANES * WORDS);
  private running = false;
  private gathering: NodeJS.Timeout | undefined;

  /** `addon`: loadLanes(), or undefined to hash each file with OpenSSL. */
  constructor(
    private readonly addon: LanesAddon | undefined,
    private readonly options: FileHasherOptions = DEFAULT_OPTIONS,
  ) {}

  /** How files are hashed here, for reports: e.g. '8 lanes (avx512vl)' or 'OpenSSL'. */
  get engine(): string {
    return this.addon === undefined ? 'OpenSSL' : `${LANES} lanes (${this.addon.features()})`;
  }

  /** The file's sha256; undefined when `signal` aborts first. Rejects when the file cannot be read. */
  async hash(path: string, signal?: AbortSignal): Promise<string | undefined> {
    const addon = this.addon;
    if (addon === undefined) return sha256OfFile(path, signal);
    const { size } = await stat(path);
    if (size < this.options.laneMinBytes) return sha256OfFile(path, signal);
    return new Promise((resolve, reject) => {
      this.waiting.push({ path, size, signal, resolve, reject });
      this.schedule(addon);
    });
  }

  /** Starts the lanes once two files wait, or hands a file that waited alone for `gatherMs` to OpenSSL. */
  private schedule(addon: LanesAddon): void {
    if (this.running) return;
    if (this.waiting.length >= 2) {
      clearTimeout(this.gathering);
      this.gathering = undefined;
      void this.run(addon);
      return;
    }
    this.gathering ??= setTimeout(() => {
      this.gathering = undefined;
      if (this.waiting.length === 1) hashWithOpenSsl(this.waiting.shift()!);
      else if (this.waiting.length > 1) void this.run(addon);
    }, this.options.gatherMs);
  }

  private async run(addon: LanesAddon): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        await this.fillLanes();
        const busy = this.lanes.flatMap((lane, index) => (lane === undefined ? [] : [index]));
        if (busy.length === 0) return;
        if (busy.length === 1 && this.waiting.length === 0 && this.cheaperAgainWithOpenSsl(this.lanes[busy[0]!]!)) {
          this.release(busy[0]!, hashWithOpenSsl);
          return;
        }
        const reads = await Promise.allSettled(busy.map((index) => {
          const lane = this.lanes[index]!;
          return lane.handle.read(lane.buffer, lane.total % BLOCK, READ_BYTES, lane.total);
        }));
        const chunks = new Array<Uint8Array | undefined>(LANES).fill(undefined);
        const ended: number[] = [];
        busy.forEach((index, i) => {
          const lane = this.lanes[index]!;
          const read = reads[i]!;
          if (read.status === 'rejected') return void this.release(index, (request) => request.reject(read.reason));
          if (lane.request.signal?.aborted === true) return void this.release(index, (request) => request.resolve(undefined));
          if (read.value.bytesRead === 0) return void ended.push(index);
          const held = (lane.total % BLOCK) + read.value.bytesRead;
          lane.total += read.value.bytesRead;
          chunks[index] = lane.buffer.subarray(0, held - (held % BLOCK));
        });
        addon.compress(this.states, chunks);
        this.carryTails(chunks);
        if (ended.length > 0) this.finish(addon, ended);
      }
    } catch (error) {
      // Not expected (the addon checks its arguments, reads fail per file), but no caller may wait forever.
      this.lanes.forEach((lane, index) => {
        if (lane !== undefined) this.release(index, (request) => request.reject(error));
      });
      for (const request of this.waiting.splice(0)) request.reject(error);
    } finally {
      this.running = false;
      if (this.waiting.length > 0) this.schedule(addon);
    }
  }

  /** Whether OpenSSL hashes the whole file sooner than one lane finishes what is left of it. */
  private cheaperAgainWithOpenSsl(lane: Lane): boolean {
    const left = Math.max(0, lane.request.size - lane.total);
    return lane.request.size < ONE_LANE_SLOWDOWN * left;
  }

  /** Moves each lane's bytes past its last whole block to the start of its buffer, for the next round. */
  private carryTails(chunks: ReadonlyArray<Uint8Array | undefined>): void {
    chunks.forEach((chunk, index) => {
      if (chunk === undefined) return;
      const lane = this.lanes[index]!;
      lane.buffer.copyWithin(0, chunk.length, chunk.length + (lane.total % BLOCK));
    });
  }

  /** Pads the last block of each ended lane, hashes it, and hands out the digests. */
  private finish(addon: LanesAddon, ended: readonly number[]): void {
    const chunks = new Array<Uint8Array | undefined>(LANES).fill(undefined);
    for (const index of ended) {
      const lane = this.lanes[index]!;
      chunks[index] = lastBlocks(lane.buffer.subarray(0, lane.total % BLOCK), lane.total);
    }
    addon.compress(this.states, chunks);
    for (const index of ended) {
      let digest = '';
      for (let word = 0; word < WORDS; word++) digest += this.states[index * WORDS + word]!.toString(16).padStart(8, '0');
      this.release(index, (request) => request.resolve(digest));
    }
  }

  /** Opens the waiting files into the free lanes; a file that cannot be opened rejects at once. */
  private async fillLanes(): Promise<void> {
    for (let index = 0; index < LANES && this.waiting.length > 0; index++) {
      if (this.lanes[index] !== undefined) continue;
      const request = this.waiting.shift()!;
      try {
        const handle = await open(request.path, 'r');
        this.states.set(INITIAL_STATE, index * WORDS);
        this.buffers[index] ??= Buffer.allocUnsafe(BLOCK + READ_BYTES);
        this.lanes[index] = { request, handle, buffer: this.buffers[index], total: 0 };
      } catch (error) {
        request.reject(error);
        index--;
      }
    }
  }

  /** Frees lane `index` and hands its request to `settle`. */
  private release(index: number, settle: (request: Request) => void): void {
    const lane = this.lanes[index]!;
    this.lanes[index] = undefined;
    void lane.handle.close();
    settle(lane.request);
  }
}
