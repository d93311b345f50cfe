// SaveOptions.saveDebugInfo: debug/saved_model_debug_info.pb, a tensorflow.GraphDebugInfo with one
// stack trace per node. Keys are as TensorFlow writes them: "node@function" for the nodes (and the
// input args) of every library function, the plain node name for the top-level graph.
//
// TensorFlow's frames are Python source positions; ours say where a node came from in JS terms.
// Each frame's "file" is a pseudo file name (there is no JS source position to give):
//   "tfjs-layer:<layer path>"   the LayersModel layer being called (outermost frame), when known;
//   "tfjs-kernel:<KernelName>"  the tfjs kernel whose lowering emitted the node (innermost frame);
//   "savedmodel-js:export"      nodes the exporter wrote itself (signature wrappers, save/restore,
//                               function inputs, the top-level graph), func = what it is.
// Line and column are 0: nothing in JS terms corresponds to them.
import type { tensorflow } from '@savedmodel-js/core';

export interface NodeOriginInfo {
  readonly kernel: string;
  readonly layer: string;
}

export const LAYER_FILE_PREFIX = 'tfjs-layer:';
export const KERNEL_FILE_PREFIX = 'tfjs-kernel:';
export const EXPORT_FILE = 'savedmodel-js:export';

/** GraphDebugInfo for every node of `graph` and of its function library. */
export function buildDebugInfo(
  graph: tensorflow.IGraphDef,
  origins: ReadonlyMap<string, ReadonlyMap<string, NodeOriginInfo>>,
): tensorflow.IGraphDebugInfo {
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const frame = (file: string, func: string): tensorflow.GraphDebugInfo.IFileLineCol => {
    let i = fileIndex.get(file);
    if (i === undefined) { i = files.length; files.push(file); fileIndex.set(file, i); }
    return { file_index: i, func };
  };
  const traces: Record<string, tensorflow.GraphDebugInfo.IStackTrace> = {};
  const generated = (what: string): tensorflow.GraphDebugInfo.IStackTrace => ({ file_line_cols: [frame(EXPORT_FILE, what)] });

  const functions = [...(graph.library?.function ?? [])].sort((a, b) => (a.signature?.name ?? '').localeCompare(b.signature?.name ?? ''));
  for (const f of functions) {
    const fn = f.signature?.name ?? '';
    const known = origins.get(fn);
    for (const arg of f.signature?.input_arg ?? []) traces[`${arg.name ?? ''}@${fn}`] = generated(`input of ${fn}`);
    for (const n of f.node_def ?? []) {
      const name = n.name ?? '';
      const o = known?.get(name);
      const cols: tensorflow.GraphDebugInfo.IFileLineCol[] = [];
      if (o?.layer) cols.push(frame(`${LAYER_FILE_PREFIX}${o.layer}`, o.layer));
      // "(output)" / "(input)": Identity nodes the tracer adds around the kernels, not a tfjs kernel
      if (o?.kernel.startsWith('(')) cols.push(frame(EXPORT_FILE, `${o.kernel.slice(1, -1)} of ${fn}`));
      else if (o?.kernel) cols.push(frame(`${KERNEL_FILE_PREFIX}${o.kernel}`, o.kernel));
      traces[`${name}@${fn}`] = cols.length ? { file_line_cols: cols } : generated(`${n.op ?? ''} in ${fn}`);
    }
  }
  for (const n of graph.node ?? []) traces[n.name ?? ''] = generated(`${n.op ?? ''} in the top-level graph`);
  return { files, traces };
}
