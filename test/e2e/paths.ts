import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const SCREENSHOTS = join(ROOT, 'test-results/screenshots');

/** This run's scratch folder: made by the global setup and handed to the workers through the environment. */
export function e2eDir(): string {
  const dir = process.env.SLUICE_E2E_DIR;
  if (dir === undefined) throw new Error('SLUICE_E2E_DIR is not set: run the specs through playwright.config.ts');
  return dir;
}
/** The backpressure-expired scenario, zipped. */
export const bundlePath = (): string => join(e2eDir(), 'bundle.zip');
/** The tm-lost scenario, zipped, for the drag-and-drop test. */
export const dropBundlePath = (): string => join(e2eDir(), 'drop.zip');
/** The first bundle ingested by the CLI. */
export const incidentPath = (): string => join(e2eDir(), 'incident.sluice');

// The same paths as constants, for spec files: workers start after the global setup has set the variable.
export const E2E_DIR = process.env.SLUICE_E2E_DIR ?? '';
export const BUNDLE = join(E2E_DIR, 'bundle.zip');
export const DROP_BUNDLE = join(E2E_DIR, 'drop.zip');
export const INCIDENT = join(E2E_DIR, 'incident.sluice');
