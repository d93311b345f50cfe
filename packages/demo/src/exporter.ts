// Export paths of the demo: a SavedModel zip as a Blob (download) and a SavedModel zip streamed
// into the Origin Private File System. Both go through exportModel (Keras 3's model.export) into
// a streaming zip FileSink, whose progress (bytes and files) drives the page's bars.
import type * as tf from '@tensorflow/tfjs';
import { readSavedModel, showAll, type FileSink } from '@savedmodel-js/core';
import { opfsSink, zipBlobSink, zipSource, type ZipProgress, type ZipSource } from '@savedmodel-js/zip';
import { exportModel, type SaveSummary } from 'savedmodel-js';

export interface ExportProgress extends ZipProgress {
  /** Expected SavedModel bytes (weights + a margin for the graph), for a progress bar. */
  expectedBytes: number;
}

/**
 * Downloads every weight to the CPU with the asynchronous read, which tfjs then caches. The
 * exporter reads asynchronously itself; this is for tfjs, which moves a tensor to another backend
 * (the demo switches backends) with dataSync(): tfjs-backend-webgpu's synchronous readback (a
 * WebGPU canvas copied through a 2D canvas) returns zeros in headless Chromium (SwiftShader), and
 * caches them. With the values already cached, dataSync() returns them. Harmless elsewhere.
 */
export async function prefetchWeights(model: tf.LayersModel): Promise<void> {
  await Promise.all(model.weights.map((w) => w.read().data()));
}

/** The one call that writes the SavedModel: Keras' model.export analogue into any FileSink. */
export async function exportToSink(model: tf.LayersModel, sink: FileSink): Promise<SaveSummary> {
  await prefetchWeights(model);
  return exportModel(model, sink, { verbose: false });
}

/** Weight bytes of a model (what dominates the archive). */
export function weightBytes(model: tf.LayersModel): number {
  let n = 0;
  for (const w of model.weights) n += w.shape.reduce((a: number, b) => a * (b ?? 1), 1) * 4;
  return n;
}

function expected(model: tf.LayersModel): number {
  return weightBytes(model) + 32 * 1024;
}

export interface ZipExport {
  blob: Blob;
  summary: SaveSummary;
  ms: number;
}

/** exportModel → zip Blob (stored entries, fixed dates: reproducible archives). */
export async function exportZipBlob(model: tf.LayersModel, onProgress?: (p: ExportProgress) => void): Promise<ZipExport> {
  const expectedBytes = expected(model);
  const t0 = performance.now();
  const sink = zipBlobSink({ onProgress: onProgress && ((p) => onProgress({ ...p, expectedBytes })) });
  const summary = await exportToSink(model, sink);
  return { blob: sink.blob(), summary, ms: performance.now() - t0 };
}

export interface ArchiveInfo {
  source: ZipSource;
  files: { path: string; size: number; method: string }[];
  /** saved_model_cli show --all text. */
  show: string;
}

/** Opens a SavedModel zip (Blob / File / bytes): its files and its signatures. */
export async function inspectZip(input: Blob | Uint8Array): Promise<ArchiveInfo> {
  const source = await zipSource(input);
  const files = source.entries
    .filter((e) => !e.directory)
    .map((e) => ({ path: e.name, size: e.uncompressedSize, method: e.method }));
  const { savedModel } = await readSavedModel(source, { checkpoint: false });
  return { source, files, show: showAll(savedModel) };
}

export interface OpfsExport {
  fileName: string;
  bytes: number;
  files: number;
  ms: number;
  summary: SaveSummary;
}

/** Whether this browser can stream into OPFS files from the page (createWritable). */
export async function opfsAvailable(): Promise<boolean> {
  try {
    if (!navigator.storage?.getDirectory) return false;
    const root = await navigator.storage.getDirectory();
    const fh = await root.getFileHandle('.probe', { create: true });
    const ok = typeof (fh as FileSystemFileHandle & { createWritable?: unknown }).createWritable === 'function';
    await root.removeEntry('.probe');
    return ok;
  } catch {
    return false;
  }
}

/**
 * exportModel → zip streamed into an OPFS file through FileSystemFileHandle.createWritable():
 * each chunk goes to disk as it is produced, so no copy of the archive is ever held in memory.
 * An export that fails aborts the writable (OPFS then discards what was written).
 */
export async function exportToOpfs(model: tf.LayersModel, fileName: string, onProgress?: (p: ExportProgress) => void): Promise<OpfsExport> {
  const expectedBytes = expected(model);
  const t0 = performance.now();
  let files = 0;
  // opfs:// sink from @savedmodel-js/zip: zip entries streamed into fh.createWritable().
  const sink = await opfsSink(fileName, {
    onProgress: (p) => {
      files = p.filesWritten;
      onProgress?.({ ...p, expectedBytes });
    },
  });
  const summary = await exportToSink(model, sink);
  const root = await navigator.storage.getDirectory();
  const file = await (await root.getFileHandle(fileName)).getFile();
  return { fileName, bytes: file.size, files, ms: performance.now() - t0, summary };
}

export async function opfsList(): Promise<{ name: string; size: number }[]> {
  const root = await navigator.storage.getDirectory();
  const out: { name: string; size: number }[] = [];
  // entries() is async-iterable in Chromium; typed loosely since lib.dom lacks it in some versions
  for await (const [name, handle] of (root as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (handle.kind === 'file') out.push({ name, size: (await (handle as FileSystemFileHandle).getFile()).size });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The OPFS file as a File (a disk-backed Blob: downloading it does not copy it into memory). */
export async function opfsFile(fileName: string): Promise<File> {
  const root = await navigator.storage.getDirectory();
  return (await root.getFileHandle(fileName)).getFile();
}

export async function opfsRemove(fileName: string): Promise<void> {
  const root = await navigator.storage.getDirectory();
  await root.removeEntry(fileName).catch(() => undefined);
}
