import { build } from 'vite'; import { writeFileSync, rmSync, mkdirSync } from 'node:fs';
const here = new URL('.', import.meta.url).pathname;
const dir = `${here}node_modules/.cache/vm4`; rmSync(dir, { recursive: true, force: true }); mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}/index.html`, `<script type="module" src="./main.js"></script>`);
writeFileSync(`${dir}/main.js`, process.argv[2]);
const out = await build({ root: dir, logLevel: 'error', configFile: false, build: { write: false, minify: 'esbuild', modulePreload: false, rollupOptions: { external: [/^node:/] } } });
const o = (Array.isArray(out) ? out[0] : out).output; const e = o.find(c => c.type === 'chunk' && c.isEntry);
console.log("modules", Object.keys(e.modules).length);
for (const [p, m] of Object.entries(e.modules)) if (/core\/dist|protobufjs@|long@/.test(p) && m.renderedLength > 0) console.log(String(m.renderedLength).padStart(8), p.replace(/.*node_modules\/\.pnpm\//, '').replace(/.*packages\//, ''));
