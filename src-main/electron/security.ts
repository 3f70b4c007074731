/**
 * The desktop shell's security settings in one place, so the audit (test/unit/electron/audit.test.ts) can
 * check the built bundle against them. Sluice is offline: nothing remote is ever loaded.
 */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  spellcheck: false,
} as const;

/** Sent as a header on every app:// response, on top of the <meta> in index.html. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Links the renderer may open in the user's browser (documentation only); everything else is refused. */
const EXTERNAL_ALLOWLIST = [
  'https://flink.apache.org/',
  'https://nightlies.apache.org/flink/',
  'https://github.com/apache/flink/',
  'https://issues.apache.org/jira/browse/FLINK-',
];

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return false;
  return EXTERNAL_ALLOWLIST.some((prefix) => url.href.startsWith(prefix));
}

/** Resolves an app:// request path inside the renderer folder; null for anything that would leave it. */
export function rendererFilePath(rendererDir: string, requestUrl: string, join: (...p: string[]) => string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.host !== 'sluice') return null;
  const pathname = decodeURIComponent(url.pathname);
  if (pathname.includes('\0') || pathname.split('/').some((segment) => segment === '..')) return null;
  const file = join(rendererDir, pathname === '/' ? 'index.html' : pathname);
  return file.startsWith(`${join(rendererDir, '.')}/`) || file.startsWith(`${rendererDir}/`) ? file : null;
}
