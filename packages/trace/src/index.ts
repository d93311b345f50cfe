// @savedmodel-js/trace: TensorFlow graphs from TensorFlow.js models and functions, recorded by
// a tracing backend while a real backend computes.
export { traceFunction, type TensorSpecLike } from './trace-function.js';
export { modelInputNames, traceModel, type TraceModelOptions } from './trace-model.js';
export { traceLayerCall } from './trace-layer.js';
export type { TraceOptions } from './trace-core.js';
export { TensorSpec, tensorSpec, flatten, packLike, type Nested } from './tensor-spec.js';
export type { ConcreteFunction, CapturedVariable, FunctionInput, FunctionOutput } from './concrete-function.js';
export { buildFunctionDef } from './concrete-function.js';
export { getTracingBackend, TracingBackend, TRACE_BACKEND_PREFIX } from './backend/tracing-backend.js';
export { Recorder } from './backend/recorder.js';
export { LOWERINGS, UNSUPPORTED, isOpLowering } from './lowering/index.js';
export type { Lowering, LowerFn, LoweringContext, OpLowering, RecordedOutput } from './lowering/index.js';
export { lowerTape, neededCalls, type LoweredGraph, type CaptureArg } from './lowering/lower-tape.js';
export { mergeTapes, symbolicFromSingle } from './tape/merge.js';
export { simplifyTape } from './tape/simplify.js';
export { fitSym, isSym, evalSym, symToString, type Sym, type SymDim } from './tape/sym.js';
export type { Tape, TapeValue, KernelCall, SymTape, SymValue, SymCall, SymbolInfo, ValueSource, SymValueSource } from './tape/tape.js';
export { GraphBuilder, tensorProto, type GraphTensor, type AttrInput, type NodeOrigin } from './graph/graph-builder.js';
export { tfDtype, tfjsDtype } from './dtype.js';
