// `downloads://name`: the SavedModel as a zip the browser downloads (Blob + a clicked <a download>),
// like tfjs's browserDownloads IO handler. Browser only.
import { SavedModelError } from '@savedmodel-js/core';
import { zipBlobSink, type ZipBlobOptions } from './zip-blob.js';
import type { ZipFileSink } from './zip-sink.js';

/** 'downloads://my_model' or 'my_model' → 'my_model.zip'; 'x.zip' stays. */
export function downloadFileName(name: string): string {
  const base = name.replace(/^downloads:\/\//, '').trim();
  if (!base || /[/\\]/.test(base)) {
    throw new SavedModelError('INVALID_ARGUMENT', `download name must be a plain file name, got ${JSON.stringify(name)}`, { file: name });
  }
  return /\.zip$/i.test(base) ? base : `${base}.zip`;
}

export interface DownloadsTargetOptions extends ZipBlobOptions {
  /** Milliseconds before the object URL is revoked (default 60 s: the download must have started). */
  revokeAfterMs?: number;
}

/**
 * A FileSink whose commit() builds the zip Blob and starts its download as `<name>.zip`.
 * Throws UNSUPPORTED outside a browser (no `document`).
 */
export function downloadsTarget(name: string, options: DownloadsTargetOptions = {}): ZipFileSink & { blob(): Blob } {
  const fileName = downloadFileName(name);
  if (typeof document === 'undefined' || typeof URL === 'undefined' || typeof URL.createObjectURL !== 'function') {
    throw new SavedModelError('UNSUPPORTED', 'downloads:// targets need a browser (document, URL.createObjectURL)', { file: fileName });
  }
  const sink = zipBlobSink({ location: `downloads://${fileName}`, ...options });
  const commit = sink.commit.bind(sink);
  sink.commit = async () => {
    await commit();
    const url = URL.createObjectURL(sink.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    a.style.display = 'none';
    document.body.appendChild(a);
    try {
      a.click();
    } finally {
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), options.revokeAfterMs ?? 60_000);
    }
  };
  return sink;
}
