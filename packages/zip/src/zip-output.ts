// The archive's byte stream: counts the offset, packs small pieces (headers, descriptors,
// central records, tiny files) into 64 KiB blocks so sinks see few calls, and passes large
// chunks through untouched (no copy). Memory held: at most one block.
import type { ByteTarget } from './byte-sink.js';

const BLOCK = 64 * 1024;
/** Chunks up to this size are copied into the current block; larger ones go out as they are. */
const SMALL = 8 * 1024;

export class ZipOutput {
  /** Bytes of archive produced so far (including any still in the block). */
  offset = 0;
  private block: Uint8Array | undefined;
  private used = 0;

  constructor(private readonly target: ByteTarget) {}

  async write(chunk: Uint8Array): Promise<void> {
    const n = chunk.length;
    if (n === 0) return;
    this.offset += n;
    if (n <= SMALL) {
      if (this.block && this.used + n > BLOCK) await this.flush();
      if (!this.block) this.block = new Uint8Array(BLOCK);
      this.block.set(chunk, this.used);
      this.used += n;
      if (this.used === BLOCK) await this.flush();
      return;
    }
    await this.flush();
    await this.emit(chunk);
  }

  /**
   * Hands the packed bytes to the sink. Sinks may keep chunks (a Blob builder does), so a full
   * block is given away and a new one allocated next time; a partly used one goes out as an
   * exact-size copy (so a kept chunk never pins 64 KiB for a few bytes) and the block is reused.
   */
  async flush(): Promise<void> {
    if (!this.block || this.used === 0) return;
    let chunk: Uint8Array;
    if (this.used === BLOCK) {
      chunk = this.block;
      this.block = undefined;
    } else {
      chunk = this.block.slice(0, this.used);
    }
    this.used = 0;
    await this.emit(chunk);
  }

  private async emit(chunk: Uint8Array): Promise<void> {
    const r = this.target.write(chunk);
    if (r !== undefined) await r;
  }
}
