import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { COMMAND_CHANNEL, PROGRESS_CHANNEL, RPC_CHANNEL } from '../electron/ipc.js';

/**
 * The only bridge between the sandboxed renderer and the app: a narrow, typed API (never raw ipcRenderer).
 * Calls are validated again in the main process (sender frame + contract schema).
 */
const api = {
  /** One contract call; resolves to `{result}` or `{error: {code, message}}` exactly like the HTTP transport. */
  invoke(method: string, args: unknown[]): Promise<unknown> {
    return ipcRenderer.invoke(RPC_CHANNEL, { method, args });
  },
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

export type SluiceBridge = typeof api;

contextBridge.exposeInMainWorld('sluice', api);
