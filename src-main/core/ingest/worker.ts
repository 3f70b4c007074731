// The ingest worker entry lands with the CLI.
export {};
