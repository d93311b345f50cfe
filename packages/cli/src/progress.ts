// A one-line progress bar on stderr (redrawn in place on a terminal, a few plain lines otherwise).
export interface ProgressBar {
  update(p: { bytesWritten: number; filesWritten: number; file?: string }): void;
  done(): void;
}

/** `write` receives the text (stderr in the CLI); `tty` redraws one line in place. */
export function progressBar(label: string, write: (s: string) => void, tty: boolean, totalBytes?: number): ProgressBar {
  const stream = { write };
  let lastPct = -1;
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const render = (bytes: number, files: number) => {
    const pct = totalBytes ? Math.min(100, Math.floor((bytes / totalBytes) * 100)) : undefined;
    const width = 30;
    const fill = pct === undefined ? 0 : Math.round((pct / 100) * width);
    const bar = pct === undefined ? '' : `[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${String(pct).padStart(3)}% `;
    return `${label} ${bar}${mb(bytes)}${totalBytes ? `/${mb(totalBytes)}` : ''} MB, ${files} file${files === 1 ? '' : 's'}`;
  };
  return {
    update({ bytesWritten, filesWritten }) {
      if (tty) { stream.write(`\r${render(bytesWritten, filesWritten)}`); return; }
      const pct = totalBytes ? Math.floor((bytesWritten / totalBytes) * 4) : filesWritten;
      if (pct !== lastPct) { lastPct = pct; stream.write(`${render(bytesWritten, filesWritten)}\n`); }
    },
    done() { if (tty) stream.write('\n'); },
  };
}
