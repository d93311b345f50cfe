import { build } from 'vite'; import { writeFileSync, rmSync, mkdirSync } from 'node:fs';
const here = new URL('.', import.meta.url).pathname;
const dir = `${here}node_modules/.cache/vm5`; rmSync(dir, { recursive: true, force: true }); mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}/index.html`, `<script type="module" src="./main.js"></script>`);
writeFileSync(`${dir}/main.js`, process.argv[2]);
const target = process.argv[3];
const plugin = { name: 'why', generateBundle() {
  const ids = [...this.getModuleIds()]; const t = ids.find((i) => i.includes(target)); if (!t) { console.log('not found'); return; }
  // BFS backwards over importers, printing a chain to the entry
  const prev = new Map([[t, null]]); const q = [t]; let end = null;
  while (q.length) { const id = q.shift(); const info = this.getModuleInfo(id); if (info.isEntry) { end = id; break; } for (const imp of [...info.importers]) if (!prev.has(imp)) { prev.set(imp, id); q.push(imp); } }
  const chain = []; for (let p = end; p; p = prev.get(p)) chain.push(p.replace(/.*node_modules\/\.pnpm\//, '').replace(/.*packages\//, ''));
  console.log(chain.join('\n  <- imports <- ').split('\n').reverse().join('\n'));
} };
await build({ root: dir, logLevel: 'error', configFile: false, plugins: [plugin], build: { write: false, minify: false, modulePreload: false, rollupOptions: { external: [/^node:/] } } });
