import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { startServer } from '../../server/server.js';
import { parseArgs, UsageError } from '../args.js';
import type { Command } from '../command.js';

/** The bundle is out/main/cli.js: the renderer is built beside it, resources sit at the package root. */
const here = fileURLToPath(new URL('.', import.meta.url));

export const serveCommand: Command = {
  name: 'serve',
  summary: 'browser mode: the workbench on http://127.0.0.1 with a private token (prints the URL)',
  usage: [
    'Usage: sluice serve [FILE.sluice] [--port N] [--dir DIR]',
    '',
    '  FILE.sluice   incident to open (created when missing); the sample incident when absent',
    '  --port N      port on 127.0.0.1 (default: a free one)',
    '  --dir DIR     where incidents for dropped evidence are created (default: the current directory)',
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv, { options: ['port', 'dir'] });
    if (args.positionals.length > 1) throw new UsageError('give at most one incident file');
    const portText = args.options.get('port');
    const port = portText === undefined ? 0 : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: '${portText}' is not a port number`);
    const server = await startServer({
      incidentPath: args.positionals[0] === undefined ? undefined : resolve(args.positionals[0]),
      samplePath: resolve(here, '../../resources/sample/sample.sluice'),
      incidentsDir: resolve(args.options.get('dir') ?? '.'),
      rendererDir: resolve(here, '../renderer'),
      port,
    });
    const incident = await server.service.currentIncident();
    process.stdout.write(
      `Sluice is serving ${incident === null ? 'no incident yet (drop evidence in the page)' : incident.isSample ? 'the sample incident' : incident.path}\n` +
        `Open ${server.url}\n(Ctrl-C to stop)\n`,
    );
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
