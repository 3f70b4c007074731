import type { AppState } from './app.svelte.js';
import { ingestPaths } from './ingest.js';

/**
 * What the desktop app's native menu asks of the page (the main process owns the menu, the page owns the
 * state). Arguments come over IPC, so they are checked here before use.
 */
export function handleCommand(app: AppState, command: string, args: unknown[]): void {
  switch (command) {
    case 'toggle-theme':
      app.setTheme(app.theme === 'dark' ? 'light' : 'dark');
      break;
    case 'show-shortcuts':
      app.helpOpen = true;
      break;
    case 'reload':
      void app.load();
      break;
    case 'export-report':
      openExport(app);
      break;
    case 'ingest-paths': {
      const paths = args[0];
      if (Array.isArray(paths) && paths.length > 0 && paths.every((p): p is string => typeof p === 'string')) void ingestPaths(app, paths);
      break;
    }
    default:
      // A newer main process may know commands this page does not: ignoring them beats failing.
      break;
  }
}

/** Opens the export dialog, or says why there is nothing to export yet. */
export function openExport(app: AppState): void {
  if (app.incident === null || app.incident.empty) {
    app.error = 'Nothing to export yet: drop evidence files first.';
    return;
  }
  app.helpOpen = false;
  app.editing = null;
  app.exportOpen = true;
}
