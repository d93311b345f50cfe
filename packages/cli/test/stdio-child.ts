// Child of stdio.test.ts: writes `lines` numbered lines through stdio.ts's writeText to fd 1
// (and a line to fd 2), in pieces of `per` lines; exit code 0 when done.
import { writeText } from '../src/stdio.js';

const [lines, per] = process.argv.slice(2).map(Number) as [number, number];
for (let i = 0; i < lines; i += per) {
  let s = '';
  for (let j = i; j < Math.min(lines, i + per); j++) s += `line ${j} ${'é'.repeat(j % 7)}\n`;
  writeText(1, s);
}
writeText(2, 'done\n');
