#!/usr/bin/env node
import { IncidentFileError } from '../core/api/engine.js';
import { UsageError } from './args.js';
import type { Command } from './command.js';
import { ingestCommand } from './commands/ingest.js';
import { infoCommand } from './commands/info.js';
import { checkpointsCommand } from './commands/checkpoints.js';
import { queryCommand } from './commands/query.js';
import { reportCommand } from './commands/report.js';
import { gcCommand } from './commands/gc.js';
import { flameCommand } from './commands/flame.js';
import { diagnoseCommand } from './commands/diagnose.js';
import { serveCommand } from './commands/serve.js';

const COMMANDS: readonly Command[] = [ingestCommand, infoCommand, checkpointsCommand, gcCommand, flameCommand, diagnoseCommand, reportCommand, queryCommand, serveCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'sluice — postmortems of Apache Flink checkpoint failures and backpressure',
    '',
    'Usage: sluice <command> [options]   (add --debug to any command for stack traces)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'sluice <command> --help' for a command's options.",
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    process.stderr.write(`sluice: unknown command '${name}'\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (debug) process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    if (error instanceof UsageError) {
      process.stderr.write(`sluice ${command.name}: ${error.message}\n${command.usage}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sluice ${command.name}: ${message}\n`);
    return error instanceof IncidentFileError ? 3 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sluice: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
