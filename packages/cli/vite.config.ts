import { libraryConfig } from '../../vite.lib.js';

export default libraryConfig({ main: 'src/main.ts' }, ['savedmodel-js', /^@tensorflow\//]);
