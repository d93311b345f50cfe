// Shared library-build settings for the packages (each package's vite.config.ts calls this).
// Output mirrors src/ module by module (preserveModules), so an app's bundler tree-shakes per
// module under the package's `sideEffects`; every bare import (dependencies, peers, node:*) stays
// external. Declarations come from `tsc -p tsconfig.build.json` into the same dist/ (see
// tsconfig.lib.json); the package.json pattern every package follows is in the README.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { defineConfig, type Plugin, type UserConfig } from 'vite';

const isBare = (id: string): boolean => !id.startsWith('.') && !id.startsWith('\0') && !isAbsolute(id);

/** Hand-written or generated `.d.ts` files in src/ (tsc emits none for them) go to dist/ as they are. */
function copyDeclarations(): Plugin {
  return {
    name: 'savedmodel-js-copy-declarations',
    apply: 'build',
    writeBundle() {
      const src = resolve('src');
      const walk = (dir: string): void => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const p = join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.name.endsWith('.d.ts')) {
            const to = join(resolve('dist'), relative(src, p));
            mkdirSync(dirname(to), { recursive: true });
            copyFileSync(p, to);
          }
        }
      };
      walk(src);
    },
  };
}

export function libraryConfig(entries: Record<string, string>, external: (string | RegExp)[] = []): UserConfig {
  const extra = (id: string): boolean => external.some((e) => (typeof e === 'string' ? e === id : e.test(id)));
  return defineConfig({
    build: {
      target: 'es2022',
      outDir: 'dist',
      emptyOutDir: true,
      sourcemap: true,
      minify: false,
      lib: { entry: entries, formats: ['es'] },
      rollupOptions: {
        external: (id) => isBare(id) || extra(id),
        output: { preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].js' },
      },
    },
    plugins: [copyDeclarations()],
    logLevel: 'warn',
  });
}
