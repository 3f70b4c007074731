import packageJson from '../../package.json' with { type: 'json' };

/** Name and version stamped into reports and shown by `--version`. */
export const GENERATOR = { name: 'Sluice', version: packageJson.version } as const;
