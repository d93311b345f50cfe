// Shared library-build settings for the packages (each package's vite.config.ts calls this).
import { builtinModules } from 'node:module';
import { defineConfig, type UserConfig } from 'vite';

export function libraryConfig(entries: Record<string, string>, external: (string | RegExp)[] = []): UserConfig {
  return defineConfig({
    build: {
      target: 'es2022',
      outDir: 'dist',
      emptyOutDir: true,
      sourcemap: true,
      minify: false,
      lib: { entry: entries, formats: ['es'] },
      rollupOptions: {
        external: [/^node:/, ...builtinModules, /^@savedmodel-js\//, 'protobufjs', /^protobufjs\//, 'long', 'tsx', /^tsx\//, ...external],
        output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
    logLevel: 'warn',
  });
}
