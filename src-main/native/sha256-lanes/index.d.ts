/** The instruction set the lanes run on here: 'avx512vl' or 'avx2'; 'sha-ni' where OpenSSL is faster; '' where they cannot run. */
export function features(): 'avx512vl' | 'avx2' | 'sha-ni' | '';
/**
 * Runs every whole 64-byte block of `chunks[l]` through lane l's state, the eight words at `states[8 l]`
 * (up to eight lanes; an undefined chunk leaves its lane as it is). Each chunk's length must be a multiple of 64.
 */
export function compress(states: Uint32Array, chunks: ReadonlyArray<Uint8Array | undefined>): void;
