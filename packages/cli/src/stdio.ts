// Writing the CLI's output to file descriptors 1 and 2. On POSIX the text goes out with
// fs.writeSync: the first touch of process.stdout / process.stderr builds a stream, which loads
// node:stream and net or tty (~10 ms of a ~150 ms `savedmodel show`). Anything the direct write
// cannot do — a non-blocking pipe that is full (EAGAIN), any error but a closed stdout — goes to
// the stream from then on, which behaves as before; so does everything on Windows, where the
// console needs the stream, and on Node without process.getBuiltinModule (< 20.16: node:fs is
// not imported statically, as an ES module import of it would load node:stream all the same).
type WriteSync = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
let writeSync: WriteSync | null | undefined;

function directWrite(): WriteSync | null {
  if (writeSync === undefined) {
    const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    writeSync = process.platform === 'win32' || !get ? null : (get('node:fs') as typeof import('node:fs')).writeSync;
  }
  return writeSync;
}

type Fd = 1 | 2;
const viaStream = new Set<Fd>();
let pipeGuard = false;

/**
 * stdout closed by the reader (`savedmodel show … | head`): stop quietly, as a Unix tool does,
 * instead of dying on an unhandled EPIPE with a stack trace.
 */
function closedStdout(): never {
  process.exit(process.exitCode ?? 0);
}

function stream(fd: Fd): NodeJS.WriteStream {
  if (fd === 2) return process.stderr;
  if (!pipeGuard) {
    pipeGuard = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') closedStdout();
      throw e;
    });
  }
  return process.stdout;
}

/** Writes all of `text` to fd 1 (stdout) or 2 (stderr). */
export function writeText(fd: Fd, text: string): void {
  const write = directWrite();
  if (!write || viaStream.has(fd)) {
    stream(fd).write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  try {
    while (done < bytes.length) done += write(fd, bytes, done, bytes.length - done);
  } catch (e) {
    if (fd === 1 && (e as NodeJS.ErrnoException).code === 'EPIPE') closedStdout();
    viaStream.add(fd);
    stream(fd).write(bytes.subarray(done));
  }
}
