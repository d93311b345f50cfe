import { libraryConfig } from '../../vite.lib.js';

export default libraryConfig({ index: 'src/index.ts' }, [/^@tensorflow\//, /^h5wasm/]);
