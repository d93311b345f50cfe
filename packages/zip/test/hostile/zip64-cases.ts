// Child-process cases (hostile-kit) for huge archives: written by our ZipWriter from generated
// data, read back from the file with bounded memory.
import { ZipWriter } from '@savedmodel-js/zip';
import { fileTarget, openZipFile, zipFileSource } from '@savedmodel-js/zip/node';

const MiB = 2 ** 20;

/** `mib` MiB of generated, incompressible-looking data: one random MiB, stamped with its index. */
function* generated(mib: number): Generator<Uint8Array> {
  const block = new Uint8Array(MiB);
  let x = 0x9e3779b9;
  for (let i = 0; i < MiB; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; block[i] = x & 0xff; }
  for (let i = 0; i < mib; i++) {
    const c = block.slice();
    new DataView(c.buffer).setUint32(0, i, true);
    yield c;
  }
}

export interface HugeArgs { path: string; mib: number; level: number }

/** Writes `path`: a deflated entry of `mib` MiB, then a small saved_model.pb after it (ZIP64 records). */
export async function writeHuge(a: HugeArgs): Promise<{ bytes: number; zip64: boolean; crc: number; ms: number }> {
  const t0 = performance.now();
  const w = new ZipWriter(await fileTarget(a.path, { overwrite: true }), { compression: 'deflate', level: a.level, forceZip64: true });
  const rec = await w.add('model/variables/variables.data-00000-of-00001', generated(a.mib));
  await w.add('model/saved_model.pb', new Uint8Array([8, 1]));
  const s = await w.finish();
  return { bytes: s.bytes, zip64: s.zip64, crc: rec.crc32, ms: Math.round(performance.now() - t0) };
}

/** Streams the big entry back from the file (chunks() checks its CRC against the central directory), and the source's view. */
export async function readHuge(a: HugeArgs): Promise<{ bytes: number; crc: number; size: number; files: string[]; pb: number[]; ms: number }> {
  const t0 = performance.now();
  const archive = await openZipFile(a.path);
  const e = archive.get('model/variables/variables.data-00000-of-00001')!;
  // chunks() checks the CRC against the central directory at its end; the CRC the writer
  // recorded is compared with the generator's own in the test.
  let bytes = 0;
  for await (const c of archive.chunks(e)) bytes += c.length;
  const crc = e.crc32;
  const src = await zipFileSource(a.path);
  const files = await src.list();
  const pb = Array.from(await src.read('saved_model.pb'));
  // Over maxEntryBytes (1 GiB): refused before inflating (smaller runs skip this, it would load it).
  let limited = 'skipped';
  if (bytes > 2 ** 30) {
    try { await src.read('variables/variables.data-00000-of-00001'); limited = 'OK'; } catch (err) { limited = (err as { code: string }).code; }
  }
  await archive.close();
  return { bytes, crc: crc >>> 0, size: archive.size, files: [...files, `read big: ${limited}`], pb, ms: Math.round(performance.now() - t0) };
}
