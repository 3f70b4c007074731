import { writeFileSync } from 'node:fs';
import { buildReport, openIncident, parseUserTime } from '../../core/api/engine.js';
import { parseArgs, timeOption, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { GENERATOR } from '../version.js';

const USAGE = `Usage: sluice report FILE.sluice -o report.html [--from T --to T] [--anonymize] [--only-starred] [--title TEXT]

Writes a self-contained HTML postmortem (no external requests; readable and printable without scripts).
  --from/--to T     window (ISO time, 'YYYY-MM-DD HH:mm:ss' UTC, or epoch ms); the whole incident by default
  --anonymize       replace host names, IPs, TaskManager ids, job names, user names and paths consistently
  --only-starred    only starred annotations (the "key moments")
  --omit LIST       leave out sections: summary,timeline,checkpoints,gc,backpressure,findings,flame,appendix`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'export a self-contained HTML postmortem report',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, { flags: ['anonymize', 'only-starred'], options: ['out', 'from', 'to', 'title', 'omit'], aliases: { '-o': '--out' } });
    const file = args.positionals[0];
    const out = args.options.get('out');
    if (file === undefined) throw new UsageError('no incident file given');
    if (out === undefined) throw new UsageError('-o report.html is required');
    const time = (name: string): number | undefined => timeOption(args, name, parseUserTime);
    const db = openIncident(file, { readonly: true });
    try {
      const html = buildReport(db, {
        from: time('from'),
        to: time('to'),
        anonymize: args.flags.has('anonymize'),
        onlyStarred: args.flags.has('only-starred'),
        title: args.options.get('title'),
        omit: args.options.get('omit')?.split(','),
        generator: GENERATOR,
      });
      writeFileSync(out, html);
      process.stdout.write(`${out}: ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};
