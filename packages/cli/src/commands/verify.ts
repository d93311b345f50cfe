import { verifySavedModel } from '@savedmodel-js/core';
import { dirSource } from '@savedmodel-js/core/node';
import { parse, UsageError } from '../args.js';
import type { Io } from '../dispatch.js';

export async function verifyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { strict: { type: 'boolean' }, json: { type: 'boolean' } }, ['DIR']);
  const dir = positionals[0];
  if (!dir) throw new UsageError('missing SavedModel directory');
  const report = await verifySavedModel(dirSource(dir, { blocking: true }), { strict: values.strict === true });
  if (values.json) {
    io.out(JSON.stringify({ errors: report.errors, warnings: report.warnings, findings: report.findings }, null, 2) + '\n');
  } else {
    for (const f of report.findings) io.out(`${f.severity}: [${f.code}] ${f.where}: ${f.message}\n`);
    io.out(report.errors === 0
      ? `OK: ${dir} (${report.warnings} warning${report.warnings === 1 ? '' : 's'})\n`
      : `FAILED: ${dir}: ${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}\n`);
  }
  return report.errors === 0 ? 0 : 1;
}
