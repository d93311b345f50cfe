// The `train` and `eval` MetaGraphs of a compiled model (TF1 Keras's _export_mode(TRAIN/TEST)):
// a traced tfjs step lowered to TF ops, inputs = features + `<output>_target` placeholders,
// outputs as export_output's _SupervisedOutput keys them (`loss`, `predictions/<output>`,
// `metrics/<name>/value`, `metrics/<name>/update_op`). In `train`, every variable write of the
// step becomes an AssignVariableOp; they are grouped into the train op (collection
// saved_model_train_op), and every signature output depends on it, so one run of the signature
// is one optimizer step.
import type * as tf from '@tensorflow/tfjs';
import { attr, tensorflow } from '@savedmodel-js/core';
import { isSym, lowerTape, modelInputNames, simplifyTape, tfDtype } from '@savedmodel-js/trace';
import { buildMetaGraph, type V1Input, type V1Output } from './metagraph-v1.js';
import type { GraphContext } from './serve-graph.js';
import type { TracedStep } from './trace-step.js';

const DT = tensorflow.DataType;

export const TRAIN_METHOD = 'tensorflow/supervised/training';
export const EVAL_METHOD = 'tensorflow/supervised/eval';

/** Variables a traced step reads or writes, in first-use order. */
export function stepVariables(step: TracedStep): tf.Variable[] {
  const out: tf.Variable[] = [];
  const seen = new Set<tf.Variable>();
  const add = (v: tf.Variable) => { if (!seen.has(v)) { seen.add(v); out.push(v); } };
  for (const v of step.tape.values) if (v.source.kind === 'variable') add(v.source.variable);
  for (const a of step.assigns) add(a.variable);
  return out;
}

export function stepMetaGraph(model: tf.LayersModel, step: TracedStep, kind: 'train' | 'eval', ctx: GraphContext): tensorflow.IMetaGraphDef {
  const argNames = [
    ...model.inputs.map((_, i) => `input_${i}`),
    ...model.outputs.map((_, i) => `target_${i}`),
  ];
  const lowered = lowerTape(simplifyTape(step.tape), argNames);
  const inputNames = modelInputNames(model);
  const inputs: V1Input[] = [
    ...model.inputs.map((s, i) => ({ key: inputNames[i]!, argName: argNames[i]!, dtype: tfDtype(s.dtype), shape: [null, ...s.shape.slice(1)] })),
    ...model.outputs.map((s, i) => ({
      key: `${model.outputNames[i] ?? `output_${i}`}_target`, argName: argNames[model.inputs.length + i]!, dtype: DT.DT_FLOAT, shape: [null, ...s.shape.slice(1)],
    })),
  ];
  const valueOf = (i: number) => step.tape.values[step.tape.outputs[i]!]!;
  const shapeOf = (i: number) => valueOf(i).shape.map((d) => (isSym(d) ? null : d));
  const collections: Record<string, tensorflow.ICollectionDef> = {};
  const mg = buildMetaGraph({
    tags: [kind],
    signatureKey: kind,
    methodName: kind === 'train' ? TRAIN_METHOD : EVAL_METHOD,
    inputs,
    body: { nodes: lowered.nodes, captures: lowered.captures, outputs: lowered.outputs.map((o) => o.ref) },
    variables: ctx.variables,
    variableName: ctx.variableName,
    tempId: ctx.tempId,
    collections,
    finish: (g, refs, handles) => {
      const deps: string[] = [];
      if (kind === 'train') {
        const writes = step.assigns.map((a) => {
          const h = handles.get(ctx.variableName(a.variable))!;
          return g.add('training/AssignVariableOp', 'AssignVariableOp', [h, refs[a.index]!], { dtype: attr.type(tfDtype(a.variable.dtype)) });
        });
        const trainOp = g.add('training/group_deps', 'NoOp', writes.map((w) => `^${w}`));
        collections.saved_model_train_op = { node_list: { value: [trainOp] } };
        deps.push(`^${trainOp}`);
      }
      const out = (key: string, i: number): V1Output => {
        const dtype = tfDtype(valueOf(i).dtype);
        const ref = g.add(key, 'Identity', [refs[i]!, ...deps], { T: attr.type(dtype) });
        return { key, ref, dtype, shape: shapeOf(i) };
      };
      const outputs: V1Output[] = [out('loss', step.loss)];
      for (const p of step.predictions) outputs.push(out(`predictions/${p.name}`, p.index));
      for (const m of step.metrics) {
        outputs.push(out(`metrics/${m.name}/value`, m.index));
        // Keras wraps a metric's update op in an empty constant (export_output.py)
        const wrapper = g.add(`metrics/${m.name}/metric_op_wrapper`, 'Const', [...deps], {
          dtype: attr.type(DT.DT_FLOAT), value: attr.tensor({ dtype: DT.DT_FLOAT, tensor_shape: { dim: [{ size: 0 }] } }),
        });
        outputs.push({ key: `metrics/${m.name}/update_op`, ref: wrapper, dtype: DT.DT_FLOAT, shape: [0] });
      }
      return outputs;
    },
  });
  return mg;
}
