import { libraryConfig } from '../../vite.lib.js';

export default libraryConfig({ index: 'src/index.ts', node: 'src/node.ts', internal: 'src/internal.ts', reflection: 'src/reflection.ts' });
