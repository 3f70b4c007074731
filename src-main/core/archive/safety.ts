/**
 * Name checks and the error kinds the walk uses to unwind. Sluice never writes archive members to disk under
 * their own names (nested zips are spooled under a random temp name), but a member path is shown to the user,
 * stored in the incident and used for host / TaskManager hints, so a name that would escape its archive on
 * extraction is treated as hostile and skipped.
 */

export type MemberName = { ok: true; path: string } | { ok: false; reason: string };

/** Normalises an archive member name to 'a/b/c', or says why it is rejected. */
export function checkMemberName(raw: string): MemberName {
  if (raw.includes('\0')) return { ok: false, reason: 'the name contains a NUL byte' };
  const hadBackslash = raw.includes('\\');
  // Windows tools write '\' as the separator; a name like '..\\..\\x' escapes on Windows, so it is judged as '/'.
  const slashed = hadBackslash ? raw.replace(/\\/g, '/') : raw;
  const via = hadBackslash ? ' (after reading backslashes as separators)' : '';
  if (slashed.startsWith('/')) return { ok: false, reason: `absolute path${via}` };
  if (/^[A-Za-z]:/.test(slashed)) return { ok: false, reason: `absolute Windows path with a drive letter${via}` };
  const segments = slashed.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return { ok: false, reason: `'..' segment would escape the archive${via}` };
  if (segments.length === 0) return { ok: false, reason: 'empty name' };
  return { ok: true, path: segments.join('/') };
}

/** A safety cap stopped one stream; the warning was already given where it was hit. */
export class CapExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CapExceeded';
  }
}

/** A walk-wide cap (total bytes, entry count) was reached: the walk ends normally after the warning. */
export class WalkHalted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WalkHalted';
  }
}

/** The caller's onEntry threw: the walk stops and rethrows the original error unchanged. */
export class ConsumerFailed extends Error {
  constructor(readonly original: unknown) {
    super('onEntry failed');
    this.name = 'ConsumerFailed';
  }
}

/** Thrown by walkInputs when options.signal is aborted. */
export class WalkAborted extends Error {
  constructor(reason?: unknown) {
    super('archive walk aborted', reason === undefined ? undefined : { cause: reason });
    this.name = 'AbortError';
  }
}

/** Errors that must travel up through every archive layer instead of being reported as a bad archive. */
export function isUnwinding(error: unknown): boolean {
  return error instanceof WalkHalted || error instanceof ConsumerFailed || error instanceof WalkAborted;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
