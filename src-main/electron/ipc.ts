import { isRpcMethod, ServiceError, validateArgs, type RpcMethod, type WireError } from '../core/api/contract.js';

/**
 * The Electron IPC boundary, kept free of `electron` imports so its rules are unit-tested under plain Node.
 * Every `invoke` is checked twice before it reaches the engine: the sender frame must be our own page
 * (custom `app://sluice` origin, top frame), and the payload must match the contract's argument schema.
 */
export const RPC_CHANNEL = 'sluice:rpc';
export const PROGRESS_CHANNEL = 'sluice:progress';
export const COMMAND_CHANNEL = 'sluice:command';
export const APP_ORIGIN = 'app://sluice';

export interface SenderInfo {
  /** URL of the frame that sent the message (event.senderFrame.url), null when the frame is gone. */
  frameUrl: string | null;
  /** The frame is the window's main frame (no iframes may talk to the engine). */
  isMainFrame: boolean;
}

export function isTrustedSender(sender: SenderInfo, devServerOrigin?: string): boolean {
  if (sender.frameUrl === null || !sender.isMainFrame) return false;
  let url: URL;
  try {
    url = new URL(sender.frameUrl);
  } catch {
    return false;
  }
  if (url.origin === APP_ORIGIN || `${url.protocol}//${url.host}` === APP_ORIGIN) return true;
  return devServerOrigin !== undefined && url.origin === devServerOrigin;
}

export interface ValidatedCall {
  method: RpcMethod;
  args: unknown[];
}

/** Checks sender and payload; returns the call to forward or the wire error to answer with. */
export function checkInvoke(sender: SenderInfo, payload: unknown, devServerOrigin?: string): ValidatedCall | WireError {
  if (!isTrustedSender(sender, devServerOrigin)) {
    return { error: { code: 'invalid-argument', message: `IPC from untrusted frame ${sender.frameUrl ?? '(none)'} rejected` } };
  }
  try {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new ServiceError('invalid-argument', 'IPC payload must be {method, args}');
    }
    const { method, args } = payload as { method?: unknown; args?: unknown };
    if (typeof method !== 'string' || !isRpcMethod(method)) throw new ServiceError('not-found', `unknown method '${String(method)}'`);
    return { method, args: validateArgs(method, args) as unknown[] };
  } catch (error) {
    const e = error instanceof ServiceError ? error : new ServiceError('invalid-argument', String(error));
    return { error: { code: e.code, message: e.message } };
  }
}

/** Messages between the Electron main process and the engine host (utility process). */
export type HostRequest =
  | { type: 'call'; id: number; method: RpcMethod; args: unknown[] }
  | { type: 'subscribe'; ingestId: string }
  | { type: 'open'; path: string };

export type HostMessage =
  | { type: 'reply'; id: number; reply: { result: unknown } | WireError }
  | { type: 'progress'; event: unknown }
  | { type: 'ready' };
