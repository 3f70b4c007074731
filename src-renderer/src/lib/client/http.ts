import type {
  IngestProgressEvent, IngestRequest, RpcArgs, RpcMethod, RpcResult, ServiceErrorCode, SluiceService,
} from '../../../../src-main/core/api/contract.js';
import type { Transport, UploadProgress } from './transport.js';

/** A failed call, as the engine described it. */
export class CallError extends Error {
  constructor(
    readonly code: ServiceErrorCode | 'network',
    message: string,
  ) {
    super(message);
    this.name = 'CallError';
  }
}

interface WireFailure {
  error: { code: ServiceErrorCode; message: string };
}

function isWireFailure(value: unknown): value is WireFailure {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

/** Browser mode: the token comes from the URL the server printed; the server also set it as a cookie. */
export function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    sessionStorage.setItem('sluice-token', fromUrl);
    // Keep the secret out of copied links and screenshots of the address bar.
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem('sluice-token') ?? '';
}

export function createHttpTransport(token: string): Transport {
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sluice-token': token },
        body: JSON.stringify(args),
      });
    } catch (error) {
      throw new CallError('network', `Sluice server unreachable (${error instanceof Error ? error.message : String(error)}); is \`sluice serve\` still running?`);
    }
    const body: unknown = await response.json().catch(() => null);
    if (isWireFailure(body)) throw new CallError(body.error.code, body.error.message);
    if (!response.ok || body === null || typeof body !== 'object' || !('result' in body)) {
      throw new CallError('internal', `${method}: HTTP ${response.status}`);
    }
    return (body as { result: unknown }).result;
  };
  const rpc =
    <M extends RpcMethod>(method: M) =>
    (...args: RpcArgs<M>): Promise<RpcResult<M>> =>
      call(method, args) as Promise<RpcResult<M>>;

  const service: SluiceService = {
    openIncident: rpc('openIncident'),
    createIncident: rpc('createIncident'),
    currentIncident: rpc('currentIncident'),
    ingest: rpc('ingest'),
    cancelIngest: rpc('cancelIngest'),
    overview: rpc('overview'),
    timeline: rpc('timeline'),
    checkpoints: rpc('checkpoints'),
    checkpointDetail: rpc('checkpointDetail'),
    logLines: rpc('logLines'),
    flameProfiles: rpc('flameProfiles'),
    flame: rpc('flame'),
    flameDiff: rpc('flameDiff'),
    findings: rpc('findings'),
    listAnnotations: rpc('listAnnotations'),
    createAnnotation: rpc('createAnnotation'),
    updateAnnotation: rpc('updateAnnotation'),
    deleteAnnotation: rpc('deleteAnnotation'),
    reassignGcLog: rpc('reassignGcLog'),
    exportReport: rpc('exportReport'),
    onProgress(ingestId, listener) {
      const source = new EventSource(`/api/progress/${encodeURIComponent(ingestId)}?token=${encodeURIComponent(token)}`);
      source.onmessage = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as IngestProgressEvent;
        listener(event);
        if (event.phase === 'done' || event.phase === 'failed' || event.phase === 'cancelled') source.close();
      };
      source.addEventListener('error', () => {
        if (source.readyState === EventSource.CLOSED) return;
        source.close();
      });
      return () => source.close();
    },
  };

  return {
    service,
    async prepareIngest(files, onUpload): Promise<IngestRequest> {
      const group = crypto.randomUUID();
      const sent = new Map<string, number>();
      const total = files.reduce((sum, f) => sum + f.file.size, 0);
      const report = (): void => onUpload({ bytesSent: [...sent.values()].reduce((a, b) => a + b, 0), bytesTotal: total, files: [...sent.entries()].map(([path, bytes]) => ({ path, bytes })) });
      // Two at a time: enough to keep the pipe full without starving the page's own API calls.
      const queue = [...files];
      const worker = async (): Promise<void> => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          const item = next;
          await upload(token, group, item.path, item.file, (bytes) => {
            sent.set(item.path, bytes);
            report();
          });
        }
      };
      await Promise.all([worker(), worker()]);
      return { uploadIds: [group] };
    },
  };
}

function upload(token: string, group: string, path: string, file: File, onBytes: (bytes: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/upload?group=${group}&name=${encodeURIComponent(path)}`);
    xhr.setRequestHeader('x-sluice-token', token);
    xhr.upload.onprogress = (e) => onBytes(e.loaded);
    xhr.onload = () => {
      if (xhr.status === 200) {
        onBytes(file.size);
        resolve();
        return;
      }
      let message = `upload of ${path} failed (HTTP ${xhr.status})`;
      try {
        const body: unknown = JSON.parse(xhr.responseText);
        if (isWireFailure(body)) message = `${path}: ${body.error.message}`;
      } catch {
        // keep the status message
      }
      reject(new CallError('invalid-argument', message));
    };
    xhr.onerror = () => reject(new CallError('network', `upload of ${path} failed: server unreachable`));
    xhr.send(file);
  });
}

export type { UploadProgress };
