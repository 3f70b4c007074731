#!/usr/bin/env node
// `npm start`: build when needed, then launch the desktop app on the last (or sample) incident. Where no
// Electron binary exists and none can be fetched (offline machines: Electron ≥ 42 downloads its binary on
// first run, not at install), say so in one line and start browser mode instead.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const built = join(root, 'out/main/cli.js');
if (!existsSync(built) || newestMtime(join(root, 'src-main')) > statSync(built).mtimeMs || newestMtime(join(root, 'src-renderer')) > statSync(built).mtimeMs) {
  console.log('sluice: building…');
  const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

function electronBinary() {
  const dir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  if (existsSync(pathFile)) {
    const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    if (existsSync(binary)) return binary;
  }
  // Electron ≥ 42: the binary is fetched on first use; try once, quietly, with a time limit.
  const fetch = spawnSync(process.execPath, [join(dir, 'install.js')], { cwd: dir, stdio: 'ignore', timeout: 180_000 });
  if (fetch.status === 0 && existsSync(pathFile)) return join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return undefined;
}

function browserMode(reason) {
  console.log(`sluice: ${reason} — starting browser mode instead (open the URL below).`);
  const server = spawn(process.execPath, [built, 'serve', ...args], { cwd: root, stdio: 'inherit' });
  server.on('exit', (code) => process.exit(code ?? 0));
}

/** The Electron-ABI build of better-sqlite3, staged beside the Node build so the CLI and tests keep working. */
function electronSqliteBinding(binary) {
  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  const target = join(root, 'node_modules/.sluice-electron', electronVersion, 'better_sqlite3.node');
  const smoke = () =>
    spawnSync(binary, ['-e', `new (require(${JSON.stringify(require.resolve('better-sqlite3'))}))(':memory:', { nativeBinding: ${JSON.stringify(target)} }).prepare('select 1').get()`], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'pipe', timeout: 60_000,
    }).status === 0;
  if (existsSync(target) && smoke()) return target;
  console.log(`sluice: building better-sqlite3 for Electron ${electronVersion} (needs the network once for Electron's headers)…`);
  const moduleDir = dirname(require.resolve('better-sqlite3/package.json'));
  const rebuild = spawnSync('npx', ['--yes', '@electron/rebuild@4', '--version', electronVersion, '--module-dir', root, '--which-module', 'better-sqlite3', '--force'], {
    cwd: root, stdio: 'inherit', timeout: 600_000,
  });
  const produced = join(moduleDir, 'build/Release/better_sqlite3.node');
  if (rebuild.status === 0 && existsSync(produced)) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(produced, target);
    // Restore the plain-Node build the CLI and tests use.
    spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit' });
  }
  if (existsSync(target) && smoke()) return target;
  return undefined;
}

const binary = process.env.SLUICE_BROWSER_MODE ? undefined : electronBinary();
if (binary === undefined) {
  browserMode(process.env.SLUICE_BROWSER_MODE ? 'SLUICE_BROWSER_MODE is set' : 'no Electron binary here and none could be downloaded (offline?)');
} else {
  const binding = electronSqliteBinding(binary);
  if (binding === undefined) {
    browserMode('better-sqlite3 could not be built for Electron\'s ABI (see the messages above)');
  } else {
    const app = spawn(binary, [join(root, 'out/main/electron.js'), ...args], { cwd: root, stdio: 'inherit', env: { ...process.env, SLUICE_SQLITE_BINDING: binding } });
    app.on('exit', (code) => process.exit(code ?? 0));
  }
}
