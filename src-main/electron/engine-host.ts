import { dispatch } from '../core/api/dispatch.js';
import { createService } from '../core/api/service.js';
import type { HostMessage, HostRequest } from './ipc.js';

/**
 * Entry of the Electron utility process that owns the engine: SQLite connections, queries and the ingest
 * worker live here, so the main process (window, menus, IPC routing) never blocks on a query. Plain Node:
 * it talks to main through `process.parentPort`, which Electron provides to utility processes.
 */
interface ParentPort {
  on(event: 'message', listener: (message: { data: HostRequest }) => void): void;
  postMessage(message: HostMessage): void;
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (port === undefined) throw new Error('engine-host must run as an Electron utility process');

const [incidentPath, samplePath, incidentsDir] = process.argv.slice(2);
const service = createService({
  incidentPath: incidentPath === '' ? undefined : incidentPath,
  samplePath: samplePath === '' ? undefined : samplePath,
  incidentsDir: incidentsDir!,
});

port.on('message', ({ data }) => {
  if (data.type === 'call') {
    void dispatch(service, data.method, data.args).then((reply) => port.postMessage({ type: 'reply', id: data.id, reply }));
  } else if (data.type === 'subscribe') {
    service.onProgress(data.ingestId, (event) => port.postMessage({ type: 'progress', event }));
  } else if (data.type === 'open') {
    void service.openIncident(data.path);
  }
});
port.postMessage({ type: 'ready' });
