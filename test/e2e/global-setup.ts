import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundlePath, dropBundlePath, incidentPath, ROOT } from './paths.js';

/**
 * Builds the evidence the specs use with the project's own generator: a Flink 1.17 job whose checkpoints
 * expire under backpressure (uploaded through the page), a second scenario for the drag-and-drop test, and the
 * first bundle pre-ingested into an incident file for the specs that start from an open incident.
 */
export default function globalSetup(): void {
  if (!existsSync(join(ROOT, 'out/main/cli.js')) || !existsSync(join(ROOT, 'out/renderer/index.html'))) {
    throw new Error('the e2e suite runs the built app: run `npx electron-vite build` first');
  }
  // A folder per run: several suites (or people) may run Playwright on this machine at once.
  process.env.SLUICE_E2E_DIR = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  const dir = process.env.SLUICE_E2E_DIR;
  mkdirSync(join(ROOT, 'test-results/screenshots'), { recursive: true });
  const synth = (scenario: string, out: string, extra: string[] = []): void => {
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/synth/cli.ts'), '--scenario', scenario, '--version', '1.17', '--tms', '3', '--seed', '7', '--out', out, '--archive', 'zip', ...extra], { cwd: ROOT, stdio: 'pipe' });
  };
  synth('backpressure-expired', join(dir, 'bundle'), ['--debug']);
  synth('tm-lost', join(dir, 'drop'));
  if (!existsSync(bundlePath()) || !existsSync(dropBundlePath())) throw new Error('the synthetic generator wrote no archive');
  execFileSync(process.execPath, [join(ROOT, 'out/main/cli.js'), 'ingest', bundlePath(), '--out', incidentPath()], { cwd: ROOT, stdio: 'pipe' });
}
