import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { RPC_METHODS, isWireError } from '../core/api/contract.js';
import { COMMAND_CHANNEL, PROGRESS_CHANNEL, RPC_CHANNEL } from '../electron/ipc.js';

/**
 * The only bridge between the sandboxed renderer and the app: the typed service contract (one function per
 * method, each an `invoke` on one channel), progress and menu-command subscriptions, and the path of a dropped
 * file — never raw ipcRenderer. Calls are validated again in the main process (sender frame + contract schema).
 */
async function call(method: string, args: unknown[]): Promise<unknown> {
  const reply: unknown = await ipcRenderer.invoke(RPC_CHANNEL, { method, args });
  if (isWireError(reply)) {
    const error = new Error(reply.error.message);
    error.name = reply.error.code;
    throw error;
  }
  return (reply as { result: unknown }).result;
}

const service: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
for (const method of RPC_METHODS) service[method] = (...args: unknown[]) => call(method, args);

const api = {
  ...service,
  onProgress(ingestId: string, listener: (event: unknown) => void): () => void {
    const handler = (_event: IpcRendererEvent, progress: { ingestId?: string }): void => {
      if (progress.ingestId === ingestId) listener(progress);
    };
    ipcRenderer.on(PROGRESS_CHANNEL, handler);
    return () => ipcRenderer.off(PROGRESS_CHANNEL, handler);
  },
  /** Menu commands (open dialogs, theme, shortcuts) forwarded from the main process. */
  onCommand(listener: (command: string, ...args: unknown[]) => void): () => void {
    const handler = (_event: IpcRendererEvent, command: string, ...args: unknown[]): void => listener(command, ...args);
    ipcRenderer.on(COMMAND_CHANNEL, handler);
    return () => ipcRenderer.off(COMMAND_CHANNEL, handler);
  },
  /** Path of a dropped File (Electron ≥ 32 removed File.path); empty for files made in JavaScript. */
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },
};

contextBridge.exposeInMainWorld('sluice', api);
