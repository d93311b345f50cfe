// verify checks the RestoreV2 key lists of functions that can run, not of stale library leftovers.
import { describe, expect, it } from 'vitest';
import { tensorflow, verifyMetaGraph, type CheckpointReader } from '../src/index.js';

const enc = new TextEncoder();
const restoreBody = (): tensorflow.INodeDef[] => [
  { name: 'names', op: 'Const', attr: { dtype: { type: tensorflow.DataType.DT_STRING }, value: { tensor: { dtype: tensorflow.DataType.DT_STRING, tensor_shape: { dim: [{ size: 1 }] }, string_val: [enc.encode('gone/.ATTRIBUTES/VARIABLE_VALUE')] } } } },
  { name: 'restore', op: 'RestoreV2', input: ['prefix', 'names:output:0', 'slices'] },
];
const fn = (name: string): tensorflow.IFunctionDef => ({ signature: { name }, node_def: restoreBody() });
const ckpt = { has: (k: string) => k === 'present' } as unknown as CheckpointReader;
const missing = (mg: tensorflow.IMetaGraphDef) => verifyMetaGraph(mg, 'mg', ckpt, [], false).filter((f) => f.code === 'MISSING_CHECKPOINT_KEY');

describe('verify: checkpoint keys of reachable functions only', () => {
  it('an unreachable _traced_restore with stale keys is not an error', () => {
    expect(missing({ graph_def: { library: { function: [fn('__inference__traced_restore_99')] } } })).toEqual([]);
  });

  it('the same function reached through a StatefulPartitionedCall is checked', () => {
    const mg: tensorflow.IMetaGraphDef = {
      graph_def: {
        node: [{ name: 'call', op: 'StatefulPartitionedCall', attr: { f: { func: { name: '__inference__traced_restore_99' } } } }],
        library: { function: [fn('__inference__traced_restore_99')] },
      },
    };
    const m = missing(mg);
    expect(m.length).toBe(1);
    expect(m[0]!.message).toContain('gone/.ATTRIBUTES/VARIABLE_VALUE');
  });

  it('a function the object graph names is checked', () => {
    expect(missing({ graph_def: { library: { function: [fn('restore_fn')] } }, object_graph_def: { concrete_functions: { restore_fn: {} } } }).length).toBe(1);
  });
});
