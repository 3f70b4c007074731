import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eDir } from './paths.js';

/** What the generator says it put in a bundle (its expected.json): the specs check the UI against it. */
export interface Expected {
  checkpoints: Array<{ id: number; outcome: string }>;
  stragglers: Array<{ checkpointId: number; vertexName: string; subtask: number; tm: string }>;
  job: { name: string; vertices: Array<{ name: string }> };
  taskManagers: Array<{ name: string }>;
}

export function expected(bundle: 'bundle' | 'drop'): Expected {
  const doc = JSON.parse(readFileSync(join(e2eDir(), bundle, 'expected.json'), 'utf8')) as { clusters: Expected[] };
  return doc.clusters[0]!;
}
