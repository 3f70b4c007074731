import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * `npm run audit:electron`: checks the BUILT bundles (what ships), not the sources, so a regression from a
 * refactor, a dependency or a build setting fails CI. Run after `npm run build` (npm test does).
 */
const read = (path: string): string => {
  if (!existsSync(path)) throw new Error(`${path} missing: run 'npm run build' first`);
  return readFileSync(path, 'utf8');
};
const main = read('out/main/electron.js');
const preload = read('out/preload/index.cjs');
const html = read('out/renderer/index.html');

describe('Electron security audit of the built app', () => {
  it('creates every BrowserWindow with the hardened web preferences', () => {
    const prefs = /(?:const|var|let) WEB_PREFERENCES = \{([^}]*)\}/.exec(main)?.[1] ?? '';
    expect(prefs).toMatch(/contextIsolation: true/);
    expect(prefs).toMatch(/sandbox: true/);
    expect(prefs).toMatch(/nodeIntegration: false/);
    expect(prefs).toMatch(/nodeIntegrationInWorker: false/);
    expect(prefs).toMatch(/webSecurity: true/);
    expect(prefs).toMatch(/allowRunningInsecureContent: false/);
    expect(prefs).toMatch(/webviewTag: false/);
    const windows = main.match(/new BrowserWindow\(/g) ?? [];
    const hardened = main.match(/webPreferences: \{\s*\.\.\.WEB_PREFERENCES/g) ?? [];
    expect(windows.length).toBeGreaterThan(0);
    expect(hardened.length).toBe(windows.length);
    expect(main).not.toMatch(/(contextIsolation|sandbox|webSecurity): false|nodeIntegration: true|enableRemoteModule|enableBlinkFeatures/);
  });

  it('serves the renderer from app:// with a strict CSP, never file://', () => {
    expect(main).toMatch(/registerSchemesAsPrivileged\(\[\{\s*scheme: "app"/);
    expect(main).toMatch(/loadURL\(devServer \?\? "app:\/\/sluice\/index.html"\)/);
    expect(main).not.toMatch(/loadFile\(|loadURL\("file:/);
    const csp = /(?:const|var|let) CONTENT_SECURITY_POLICY = "([^"]+)"/.exec(main)?.[1] ?? '';
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    for (const policy of [csp, meta]) {
      expect(policy).toMatch(/default-src 'self'/);
      expect(policy).toMatch(/script-src 'self'(;|$)/);
      expect(policy).not.toMatch(/unsafe-eval|https?:|\*/);
    }
    expect(main).toMatch(/headers\.set\("Content-Security-Policy", CONTENT_SECURITY_POLICY\)/);
  });

  it('denies navigation, new windows, webviews and permission requests', () => {
    expect(main).toMatch(/on\("will-navigate", \(event\) => event\.preventDefault\(\)\)/);
    expect(main).toMatch(/on\("will-attach-webview", \(event\) => event\.preventDefault\(\)\)/);
    expect(main).toMatch(/setWindowOpenHandler\([\s\S]{0,200}isAllowedExternalUrl\(url\)[\s\S]{0,120}action: "deny"/);
    expect(main).toMatch(/setPermissionRequestHandler\(\(_contents, _permission, callback\) => callback\(false\)\)/);
    expect(main).toMatch(/setPermissionCheckHandler\(\(\) => false\)/);
    expect(main).not.toMatch(/shell\.openExternal\((?!url\))/);
  });

  it('registers one IPC handler, which checks sender and payload before forwarding', () => {
    const handlers = main.match(/ipcMain\.(handle|on)\(/g) ?? [];
    expect(handlers).toEqual(['ipcMain.handle(']);
    expect(main).toMatch(/ipcMain\.handle\(RPC_CHANNEL, async \(event, payload\) => \{[\s\S]{0,600}checkInvoke\(/);
  });

  it('exposes only the typed bridge from the preload, never raw ipcRenderer', () => {
    expect(preload).toMatch(/contextBridge\.exposeInMainWorld\("sluice", (api|\{)/);
    expect(preload).toMatch(/ipcRenderer\.invoke\(RPC_CHANNEL, \{\s*method,\s*args\s*\}\)/);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer[^)]*\)/);
    expect(preload).toMatch(/webUtils\.getPathForFile\(file\)/);
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
  });
});
