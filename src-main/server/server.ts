import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { IngestProgressEvent, ServiceErrorCode, WireError } from '../core/api/contract.js';
import { dispatch } from '../core/api/dispatch.js';
import { createService, type IngestRunner, type LocalService } from '../core/api/service.js';

/**
 * Browser mode: the service contract over HTTP, for this machine only. Like Jupyter, a random token in the
 * printed URL is the key: every API call must carry it (header, or the cookie set when the page was opened with
 * it). Requests whose Host or Origin is not this server are refused, which defeats DNS rebinding.
 */
export interface ServerOptions {
  incidentPath?: string;
  samplePath?: string;
  /** Where incident files for dropped evidence are created; default the current directory. */
  incidentsDir?: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** Only loopback is accepted: browser mode is never exposed to the network. */
  host?: '127.0.0.1';
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Per uploaded file; default 4 GiB. */
  maxUploadBytes?: number;
  /** Per upload group (one drop); default 16 GiB. */
  maxGroupBytes?: number;
  runIngest?: IngestRunner;
  /** Fixed token (tests); random otherwise. */
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  service: LocalService;
  close(): Promise<void>;
}

const MAX_JSON_BYTES = 1 << 20;
const TOKEN_COOKIE = 'sluice_token';
const SSE_HEARTBEAT_MS = 15_000;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Svelte writes style attributes for positioned elements; no remote styles are possible either way.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const STATUS: Record<ServiceErrorCode, number> = {
  'invalid-argument': 400,
  'not-found': 404,
  'no-incident': 409,
  'read-only': 409,
  busy: 409,
  'not-available': 501,
  internal: 500,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface UploadGroup {
  dir: string;
  bytes: number;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  if (options.host !== undefined && options.host !== '127.0.0.1') throw new Error('browser mode listens on 127.0.0.1 only');
  const rendererDir = resolve(options.rendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`${rendererDir}/index.html not found: build the renderer first (npx electron-vite build)`);
  }
  const token = options.token ?? randomBytes(24).toString('hex');
  const maxUpload = options.maxUploadBytes ?? 4 * 1024 ** 3;
  const maxGroup = options.maxGroupBytes ?? 16 * 1024 ** 3;
  const uploadRoot = mkdtempSync(join(tmpdir(), 'sluice-uploads-'));
  const groups = new Map<string, UploadGroup>();
  const service = createService({
    incidentPath: options.incidentPath,
    samplePath: options.samplePath,
    incidentsDir: options.incidentsDir ?? process.cwd(),
    // The drop's top-level files and folders, so source paths read 'bundle.zip!/…' rather than the upload folder.
    resolveUpload: (id) => {
      const group = groups.get(id);
      return group === undefined ? undefined : readdirSync(group.dir).map((name) => join(group.dir, name));
    },
    runIngest: options.runIngest,
  });
  const openStreams = new Set<ServerResponse>();
  let port = 0;

  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];

  const hasToken = (req: IncomingMessage, url: URL): boolean => {
    const header = req.headers['x-sluice-token'];
    const candidates = [typeof header === 'string' ? header : undefined, cookie(req, TOKEN_COOKIE), url.searchParams.get('token') ?? undefined];
    return candidates.some((c) => c !== undefined && safeEqual(c, token));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = req.headers.host ?? '';
    if (!allowedHosts().includes(host)) throw new HttpError(403, 'unexpected Host header');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts().map((h) => `http://${h}`).includes(origin)) throw new HttpError(403, 'cross-origin request refused');
    const url = new URL(req.url ?? '/', `http://${host}`);

    if (url.pathname.startsWith('/api/')) {
      if (!hasToken(req, url)) throw new HttpError(401, 'missing or wrong token: open the URL printed by `sluice serve`');
      res.setHeader('Cache-Control', 'no-store');
      const rest = url.pathname.slice('/api/'.length);
      if (req.method === 'GET' && rest.startsWith('progress/')) return streamProgress(decodeURIComponent(rest.slice('progress/'.length)), req, res);
      if (req.method !== 'POST') throw new HttpError(405, 'API calls are POST');
      if (rest === 'upload') return receiveUpload(url, req, res);
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'API calls take application/json');
      const body = await readJson(req);
      const started = performance.now();
      const outcome = await dispatch(service, rest, body);
      // The engine's own time per call, visible in the browser's network panel and read by the UI bench.
      res.setHeader('Server-Timing', `call;dur=${(performance.now() - started).toFixed(1)}`);
      return sendJson(res, 'error' in outcome ? STATUS[outcome.error.code] : 200, outcome);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    if (url.searchParams.has('token') && safeEqual(url.searchParams.get('token')!, token)) {
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    return serveStatic(url.pathname, req, res);
  };

  const serveStatic = (pathname: string, req: IncomingMessage, res: ServerResponse): void => {
    const relative = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
    const file = resolve(rendererDir, `.${relative}`);
    if (!file.startsWith(rendererDir + sep) || !existsSync(file) || !statSync(file).isFile()) throw new HttpError(404, 'not found');
    const type = MIME[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': statSync(file).size,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'max-age=3600',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };

  const streamProgress = (ingestId: string, req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    openStreams.add(res);
    const terminal = (e: IngestProgressEvent): boolean => e.phase === 'done' || e.phase === 'failed' || e.phase === 'cancelled';
    let unsubscribe: () => void = () => undefined;
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), SSE_HEARTBEAT_MS);
    const end = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      openStreams.delete(res);
      res.end();
    };
    req.on('close', end);
    try {
      unsubscribe = service.onProgress(ingestId, (event) => {
        res.write(`data: ${JSON.stringify(event)}\n\n`);
        if (terminal(event)) setImmediate(end);
      });
    } catch (error) {
      res.write(`event: error\ndata: ${JSON.stringify({ message: error instanceof Error ? error.message : String(error) })}\n\n`);
      end();
    }
  };

  const receiveUpload = async (url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const relative = safeRelativePath(url.searchParams.get('name') ?? '');
    if (relative === null) throw new HttpError(400, 'upload needs a file name (?name=…)');
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxUpload) throw new HttpError(413, `file larger than the ${maxUpload}-byte upload cap`);
    const groupId = url.searchParams.get('group') ?? randomUUID();
    if (!/^[0-9a-f-]{36}$/.test(groupId)) throw new HttpError(400, 'bad upload group id');
    let group = groups.get(groupId);
    if (group === undefined) {
      // Client-chosen group ids (UUIDs) let the files of one drop upload in parallel into one folder.
      group = { dir: join(uploadRoot, groupId), bytes: 0 };
      groups.set(groupId, group);
    }
    const target = join(group.dir, relative);
    mkdirSync(resolve(target, '..'), { recursive: true });
    let bytes = 0;
    const activeGroup = group;
    const cap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        activeGroup.bytes += chunk.length;
        if (bytes > maxUpload) callback(new HttpError(413, `file larger than the ${maxUpload}-byte upload cap`));
        else if (activeGroup.bytes > maxGroup) callback(new HttpError(413, `upload larger than the ${maxGroup}-byte cap for one drop`));
        else callback(null, chunk);
      },
    });
    try {
      await pipeline(req, cap, createWriteStream(target));
    } catch (error) {
      rmSync(target, { force: true });
      activeGroup.bytes -= bytes;
      throw error instanceof HttpError ? error : new HttpError(400, `upload failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    sendJson(res, 200, { result: { uploadId: groupId, bytes } });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Refused uploads: stop reading the body, the client gets the answer at once.
      if (status === 413) res.setHeader('Connection', 'close');
      const code: ServiceErrorCode = status === 404 ? 'not-found' : status >= 500 ? 'internal' : 'invalid-argument';
      sendJson(res, status, { error: { code, message } } satisfies WireError);
      if (status === 413) req.destroy();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => done());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    service,
    close: async () => {
      for (const res of openStreams) res.end();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      service.close();
      rmSync(uploadRoot, { recursive: true, force: true });
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_JSON_BYTES) throw new HttpError(413, `request body larger than ${MAX_JSON_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return [];
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not JSON');
  }
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The dropped file's path inside its drop (folders keep their shape); null when nothing usable is left. */
export function safeRelativePath(name: string): string | null {
  const parts = name
    .split(/[\\/]+/)
    .map((p) => p.replace(/[\u0000-\u001f]/g, '').trim())
    .filter((p) => p !== '' && p !== '.' && p !== '..');
  return parts.length === 0 ? null : parts.join('/');
}
