import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tarStream from 'tar-stream';
import yazl from 'yazl';

/** Packs files (paths relative to `root`) into a zip (yazl) or a gzipped tar (tar-stream + zlib), streaming. */
export async function packZip(root: string, relativePaths: string[], target: string): Promise<void> {
  const zip = new yazl.ZipFile();
  const written = pipeline(zip.outputStream, createWriteStream(target));
  for (const rel of relativePaths) zip.addFile(`${root}/${rel}`, rel, { compress: true });
  zip.end();
  await written;
}

export async function packTarGz(root: string, relativePaths: string[], target: string): Promise<void> {
  const pack = tarStream.pack();
  const written = pipeline(pack, createGzip({ level: 6 }), createWriteStream(target));
  for (const rel of relativePaths) {
    const path = `${root}/${rel}`;
    const stat = statSync(path);
    const entry = pack.entry({ name: rel, size: stat.size, mtime: stat.mtime, mode: 0o644 });
    await pipeline(createReadStream(path), entry);
  }
  pack.finalize();
  await written;
}

