// Child-process side of hostile-kit: imports a case module, runs one exported function with JSON
// arguments, and prints one `HOSTILE_RESULT {json}` line (outcome, error code, peak RSS).
// Run as: node --max-old-space-size=N --import tsx hostile-child.ts <module> <export> <argsJson>
import { pathToFileURL } from 'node:url';

const RESULT_TAG = 'HOSTILE_RESULT ';

function report(r: Record<string, unknown>): void {
  const line = `\n${RESULT_TAG}${JSON.stringify({ ...r, maxRssKb: process.resourceUsage().maxRSS })}\n`;
  // Exit once the line is flushed (pending handles of the case must not keep the child alive).
  process.stdout.write(line, () => process.exit(0));
}

const [modulePath, exportName, argsJson] = process.argv.slice(2);
if (!modulePath || !exportName) {
  console.error('usage: hostile-child.ts <module> <export> [argsJson]');
  process.exit(2);
}

let result: Record<string, unknown>;
try {
  const mod = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`${modulePath} has no exported function ${exportName}`);
  const value: unknown = await (fn as (a: unknown) => unknown)(argsJson ? JSON.parse(argsJson) : undefined);
  result = { outcome: 'ok', value: value === undefined ? null : value };
} catch (e) {
  const err = e as { name?: unknown; code?: unknown; errno?: unknown; message?: unknown };
  // Compare by name, not instanceof: the class identity is not what is under test here.
  const typed = e instanceof Error && err.name === 'SavedModelError' && typeof err.code === 'string';
  const message = typeof err.message === 'string' ? err.message : String(e);
  result = {
    outcome: typed ? 'error' : 'raw-error',
    code: typed ? err.code : undefined,
    errno: typed && typeof err.errno === 'string' ? err.errno : undefined,
    errorName: e instanceof Error ? e.constructor.name : typeof e,
    message: message.length > 600 ? `${message.slice(0, 600)}…(${message.length} chars)` : message,
    messageLength: message.length,
  };
}
report(result);
