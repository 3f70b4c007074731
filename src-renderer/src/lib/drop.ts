import type { DroppedFile } from './client/index.js';

/** Everything in a drop: plain files, and folders walked recursively (their shape kept in the paths). */
export async function collectDropped(transfer: DataTransfer): Promise<DroppedFile[]> {
  const entries = [...transfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.length > 0 && entries.every((e) => e !== null)) {
    const out: DroppedFile[] = [];
    for (const entry of entries) await walk(entry!, '', out);
    return out;
  }
  return [...transfer.files].map((file) => ({ path: file.name, file }));
}

async function walk(entry: FileSystemEntry, prefix: string, out: DroppedFile[]): Promise<void> {
  const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path, file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns the listing in slices: read until an empty slice.
  for (;;) {
    const slice = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (slice.length === 0) break;
    for (const child of slice) await walk(child, path, out);
  }
}

export function filesFromInput(list: FileList): DroppedFile[] {
  return [...list].map((file) => ({ path: file.webkitRelativePath !== '' ? file.webkitRelativePath : file.name, file }));
}
