// Runs before every test file: the whole op registry loaded, as the CLI, verify and loads of
// unusual graphs have it (the bundled "common" part alone is what a browser export starts with;
// packages/core/test/registry-common.test.ts checks that part covers what our packages emit).
import { loadOpRegistry } from '../packages/core/src/registry/op-registry.js';

await loadOpRegistry();
