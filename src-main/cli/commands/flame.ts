import { collapsed, listProfiles, mergedTree, openIncident, parseUserTime, type CallTreeNode } from '../../core/api/engine.js';
import { parseArgs, timeOption, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { printJson } from '../output.js';

const USAGE = `Usage: sluice flame FILE.sluice [--from T --to T] [--tm ID] [--collapsed] [--json] [--depth N] [--min PERCENT]

Merges the flame graph profiles of a time range (exact by sample time for JFR / timestamped formats, whole
profiles whose capture window overlaps the range otherwise) and prints the call tree, or collapsed stacks.`;

function printTree(node: CallTreeNode, total: number, depth: number, maxDepth: number, minShare: number, out: string[]): void {
  for (const child of node.children) {
    const share = total === 0 ? 0 : child.total / total;
    if (share < minShare) continue;
    out.push(`${'  '.repeat(depth)}${(share * 100).toFixed(1).padStart(5)} %  ${child.name}${child.self > 0 ? `  (self ${((child.self / total) * 100).toFixed(1)} %)` : ''}`);
    if (depth + 1 < maxDepth) printTree(child, total, depth + 1, maxDepth, minShare, out);
  }
}

export const flameCommand: Command = {
  name: 'flame',
  summary: 'merged flame graph (call tree or collapsed stacks) for a time range and TaskManager',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, { flags: ['collapsed', 'json'], options: ['from', 'to', 'tm', 'depth', 'min'] });
    const file = args.positionals[0];
    if (file === undefined) throw new UsageError('no incident file given');
    const time = (name: string): number | undefined => timeOption(args, name, parseUserTime);
    const selection = { from: time('from'), to: time('to'), tm: args.options.get('tm') };
    const db = openIncident(file, { readonly: true });
    try {
      if (args.flags.has('collapsed')) {
        process.stdout.write(collapsed(db, selection).map((line) => `${line}\n`).join(''));
        return 0;
      }
      const tree = mergedTree(db, selection);
      if (args.flags.has('json')) {
        printJson(tree);
        return 0;
      }
      if (tree.totalWeight === 0) {
        const profiles = listProfiles(db);
        process.stdout.write(profiles.length === 0 ? 'no flame graph profiles in this incident\n' : 'no samples in that selection (profiles: ' + profiles.map((p) => `#${p.id} ${p.path}`).join(', ') + ')\n');
        return 0;
      }
      const out = [`${tree.totalWeight} samples from ${tree.profiles.length} profile(s)${tree.exact ? '' : ' (some profiles have no per-sample times: taken whole because their capture window overlaps the range)'}`];
      printTree(tree.root, tree.totalWeight, 0, Number(args.options.get('depth') ?? 30), Number(args.options.get('min') ?? 1) / 100, out);
      process.stdout.write(`${out.join('\n')}\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};
