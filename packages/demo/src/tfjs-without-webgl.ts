// What `@tensorflow/tfjs` is in the demo's bundle (vite.config.ts aliases it here): the union
// package minus the WebGL backend (and tfjs-data), which the backend picker never offers —
// `@tensorflow/tfjs` registers WebGL as a side effect of being imported, by the demo or by the
// SDK's tracer. WebGPU and WASM are imported by backends.ts; CPU stays (fallback, tracing).
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
export * from '@tensorflow/tfjs-converter';
export * from '@tensorflow/tfjs-backend-cpu';
