import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, utilityProcess, type MenuItemConstructorOptions, type UtilityProcess } from 'electron';
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkInvoke, COMMAND_CHANNEL, PROGRESS_CHANNEL, RPC_CHANNEL, type HostMessage, type HostRequest } from './ipc.js';
import { CONTENT_SECURITY_POLICY, isAllowedExternalUrl, rendererFilePath, WEB_PREFERENCES } from './security.js';

/**
 * The desktop shell: one window per open incident, each with its own engine host (a utility process owning
 * SQLite and the ingest worker), native menus and dialogs, the app:// protocol for the renderer, and the
 * single-instance lock that forwards files opened from the OS to the running app.
 */
const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = resolve(here, '../renderer');
const preloadPath = resolve(here, '../preload/index.cjs');
const resourcesDir = app.isPackaged ? process.resourcesPath : resolve(here, '../../resources');
const samplePath = join(resourcesDir, 'sample', 'sample.sluice');
const devServer = process.env.ELECTRON_RENDERER_URL;

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

interface OpenWindow {
  window: BrowserWindow;
  host: UtilityProcess;
  pending: Map<number, (reply: unknown) => void>;
  nextId: number;
  runningIngests: Set<string>;
}
const windows = new Map<number, OpenWindow>();

// ── window state ──
const statePath = (): string => join(app.getPath('userData'), 'window-state.json');
interface WindowState { width: number; height: number; x?: number; y?: number; maximized?: boolean; recent: string[] }
function readState(): WindowState {
  try {
    return { width: 1440, height: 900, recent: [], ...(JSON.parse(readFileSync(statePath(), 'utf8')) as Partial<WindowState>) };
  } catch {
    return { width: 1440, height: 900, recent: [] };
  }
}
function writeState(patch: Partial<WindowState>): void {
  mkdirSync(app.getPath('userData'), { recursive: true });
  writeFileSync(statePath(), JSON.stringify({ ...readState(), ...patch }));
}
function rememberRecent(path: string): void {
  app.addRecentDocument(path);
  writeState({ recent: [path, ...readState().recent.filter((p) => p !== path)].slice(0, 10) });
  Menu.setApplicationMenu(buildMenu());
}

// ── windows and engine hosts ──
function openWindow(incidentPath?: string): void {
  const state = readState();
  const window = new BrowserWindow({
    width: state.width, height: state.height, x: state.x, y: state.y, minWidth: 1024, minHeight: 700, show: false,
    title: 'Sluice', backgroundColor: '#111418',
    webPreferences: { ...WEB_PREFERENCES, preload: preloadPath },
  });
  if (state.maximized) window.maximize();
  const incidentsDir = join(app.getPath('documents'), 'Sluice');
  mkdirSync(incidentsDir, { recursive: true });
  const host = utilityProcess.fork(join(here, 'engine-host.js'), [incidentPath ?? '', existsSync(samplePath) ? samplePath : '', incidentsDir], {
    serviceName: 'Sluice engine',
    // npm start stages an Electron-ABI build of better-sqlite3 beside the Node one (see resources/start.mjs).
    env: { ...process.env, SLUICE_SQLITE_BINDING: process.env.SLUICE_SQLITE_BINDING ?? '' },
  });
  const entry: OpenWindow = { window, host, pending: new Map(), nextId: 1, runningIngests: new Set() };
  windows.set(window.id, entry);
  host.on('message', (message: HostMessage) => {
    if (message.type === 'reply') {
      entry.pending.get(message.id)?.(message.reply);
      entry.pending.delete(message.id);
    } else if (message.type === 'progress') {
      const event = message.event as { ingestId: string; phase: string };
      if (['done', 'failed', 'cancelled'].includes(event.phase)) entry.runningIngests.delete(event.ingestId);
      if (!window.isDestroyed()) window.webContents.send(PROGRESS_CHANNEL, event);
    }
  });
  host.on('exit', (code) => {
    for (const resolveReply of entry.pending.values()) resolveReply({ error: { code: 'internal', message: `engine stopped (exit ${code})` } });
    entry.pending.clear();
  });
  window.once('ready-to-show', () => window.show());
  window.on('close', () => {
    const bounds = window.getBounds();
    writeState({ ...bounds, maximized: window.isMaximized() });
    // Closing a window cancels its ingest: the current file rolls back, finished files stay.
    for (const ingestId of entry.runningIngests) call(entry, 'cancelIngest', [ingestId]).catch(() => undefined);
    setTimeout(() => entry.host.kill(), entry.runningIngests.size > 0 ? 2000 : 0);
    windows.delete(window.id);
  });
  if (incidentPath !== undefined) rememberRecent(incidentPath);
  void window.loadURL(devServer ?? 'app://sluice/index.html');
}

function call(entry: OpenWindow, method: string, args: unknown[]): Promise<unknown> {
  const id = entry.nextId++;
  return new Promise((resolveReply) => {
    entry.pending.set(id, resolveReply);
    entry.host.postMessage({ type: 'call', id, method, args } as HostRequest);
  });
}

function focused(): OpenWindow | undefined {
  const window = BrowserWindow.getFocusedWindow();
  return window === null ? [...windows.values()][0] : windows.get(window.id);
}

// ── IPC: sender-checked, schema-validated, forwarded to the window's engine host ──
ipcMain.handle(RPC_CHANNEL, async (event, payload: unknown) => {
  const window = BrowserWindow.fromWebContents(event.sender);
  const entry = window === null ? undefined : windows.get(window.id);
  const frame = event.senderFrame;
  const checked = checkInvoke({ frameUrl: frame?.url ?? null, isMainFrame: frame !== null && frame === event.sender.mainFrame }, payload, devServer === undefined ? undefined : new URL(devServer).origin);
  if ('error' in checked) return checked;
  if (entry === undefined) return { error: { code: 'internal', message: 'no engine for this window' } };
  if (checked.method === 'ingest') {
    const request = checked.args[0] as { inputs?: string[] };
    // Dropped files arrive as paths from webUtils.getPathForFile; only real files and folders are read.
    const bad = (request.inputs ?? []).find((p) => !existsSync(p) || lstatSync(p).isSymbolicLink());
    if (bad !== undefined) return { error: { code: 'invalid-argument', message: `${bad}: not a regular file or folder` } };
  }
  const reply = (await call(entry, checked.method, checked.args)) as { result?: { ingestId?: string } };
  if (checked.method === 'ingest' && reply.result?.ingestId !== undefined) {
    entry.runningIngests.add(reply.result.ingestId);
    entry.host.postMessage({ type: 'subscribe', ingestId: reply.result.ingestId } as HostRequest);
  }
  return reply;
});

// ── menus and dialogs ──
function sendCommand(command: string): void {
  focused()?.window.webContents.send(COMMAND_CHANNEL, command);
}

async function openIncidentDialog(): Promise<void> {
  const result = await dialog.showOpenDialog({ title: 'Open incident', filters: [{ name: 'Sluice incident', extensions: ['sluice'] }], properties: ['openFile'] });
  if (!result.canceled && result.filePaths[0] !== undefined) openWindow(result.filePaths[0]);
}

async function newIncidentDialog(): Promise<void> {
  const result = await dialog.showSaveDialog({ title: 'New incident', defaultPath: 'incident.sluice', filters: [{ name: 'Sluice incident', extensions: ['sluice'] }] });
  if (result.canceled || result.filePath === undefined) return;
  const entry = focused();
  if (entry === undefined) return openWindow(result.filePath);
  await call(entry, 'createIncident', [result.filePath]);
  rememberRecent(result.filePath);
  sendCommand('reload');
}

async function importEvidenceDialog(): Promise<void> {
  const entry = focused();
  if (entry === undefined) return;
  const result = await dialog.showOpenDialog({ title: 'Import evidence', properties: ['openFile', 'openDirectory', 'multiSelections'] });
  if (result.canceled || result.filePaths.length === 0) return;
  entry.window.webContents.send(COMMAND_CHANNEL, 'ingest-paths', result.filePaths);
}

function buildMenu(): Menu {
  const recent = readState().recent.filter((p) => existsSync(p));
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Incident…', accelerator: 'CmdOrCtrl+N', click: () => void newIncidentDialog() },
        { label: 'Open Incident…', accelerator: 'CmdOrCtrl+O', click: () => void openIncidentDialog() },
        { label: 'Open Recent', submenu: recent.length === 0 ? [{ label: 'No recent incidents', enabled: false }] : recent.map((p) => ({ label: p, click: () => openWindow(p) })) },
        { type: 'separator' },
        { label: 'Import Evidence…', accelerator: 'CmdOrCtrl+I', click: () => void importEvidenceDialog() },
        // The page's dialog picks sections, window and title, then saves through a download (Electron's save dialog).
        { label: 'Export Report…', accelerator: 'CmdOrCtrl+E', click: () => sendCommand('export-report') },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'resetZoom' }, { type: 'separator' },
        { label: 'Toggle Theme', accelerator: 'CmdOrCtrl+Shift+L', click: () => sendCommand('toggle-theme') },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
      ],
    },
    {
      label: 'Help',
      submenu: [
        { label: 'Keyboard Shortcuts', accelerator: 'Shift+/', click: () => sendCommand('show-shortcuts') },
        {
          label: 'About Sluice',
          click: () => void dialog.showMessageBox({
            title: 'About Sluice', message: `Sluice ${app.getVersion()}`,
            detail: `Electron ${process.versions.electron}\nChromium ${process.versions.chrome}\nNode ${process.versions.node}\nV8 ${process.versions.v8}`,
          }),
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}

// ── security handlers for every web contents ──
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

// ── app lifecycle, file association, single instance ──
const incidentArgs = (argv: readonly string[]): string[] => argv.filter((a) => a.endsWith('.sluice') && existsSync(a)).map((a) => resolve(a));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    const files = incidentArgs(argv);
    if (files.length === 0) focused()?.window.focus();
    for (const file of files) openWindow(file);
  });
  const openedByOs: string[] = [];
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (app.isReady()) openWindow(path);
    else openedByOs.push(path);
  });
  app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    // The only downloads are reports the page built (blob: URLs): each gets the native save dialog; nothing else downloads.
    session.defaultSession.on('will-download', (event, item) => {
      if (!item.getURL().startsWith('blob:')) {
        event.preventDefault();
        return;
      }
      item.setSaveDialogOptions({ title: 'Save postmortem report', filters: [{ name: 'HTML', extensions: ['html'] }] });
    });
    protocol.handle('app', async (request) => {
      const file = rendererFilePath(rendererDir, request.url, join);
      if (file === null || !existsSync(file)) return new Response('not found', { status: 404 });
      const response = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(response.headers);
      headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      headers.set('X-Content-Type-Options', 'nosniff');
      return new Response(response.body, { status: response.status, headers });
    });
    Menu.setApplicationMenu(buildMenu());
    const files = [...incidentArgs(process.argv), ...openedByOs];
    const last = readState().recent.find((p) => existsSync(p));
    if (files.length === 0) openWindow(last);
    for (const file of files) openWindow(file);
  }, (error: unknown) => {
    dialog.showErrorBox('Sluice could not start', String(error));
    app.quit();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (windows.size === 0) openWindow();
  });
}
