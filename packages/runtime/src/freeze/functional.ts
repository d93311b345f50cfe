// Functional control flow (While / If; Case is lowered to If first): the node is kept for
// tfjs-converter's executor and its functions are frozen into the graph's library, memoized by the
// variables bound to their arguments.
import { tensorflow } from '@savedmodel-js/core';
import { after, controlDeps, controlTargets } from './control-deps.js';
import type { Freezer } from './freezer.js';
import { funcAttrNames, newScope, type NodeOut, type Scope, type Step } from './model.js';
import { emitRead } from './variable-reads.js';

/**
 * A While / If / Case node: its inputs resolved (variable handles passed in become their values),
 * its functions frozen into the library with those arguments as values, the node emitted for
 * tfjs-converter's executor, which runs the functions itself.
 */
export function* functional(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const op = node.op ?? '';
  const name = node.name ?? '';
  const where = `node ${scope.prefix}${name} in ${scope.where}`;
  const data: string[] = [];
  const vars = new Map<number, string>();
  for (let i = 0; i < inputs.length; i++) {
    const v = yield* fz.resolve(scope, inputs[i]!);
    if (v.t === 'tensor') data.push(v.ref);
    else if (v.t === 'var') { data.push(emitRead(fz, scope, `${name}/input_${i}`, v.node, [])); vars.set(i, v.node); }
    else fz.fail('UNSUPPORTED', `op ${op} (${where}) passes resource ${v.node} (a table) into its functions`);
  }
  const offset = op === 'While' || op === 'StatelessWhile' ? 0 : 1; // If / Case: input 0 is the condition / branch index
  const fnVars = new Map([...vars].filter(([i]) => i >= offset).map(([i, v]) => [i - offset, v] as [number, string]));
  const attr = fz.copyAttrs(node);
  const typeAttr = offset === 0 ? 'T' : 'Tin';
  const types = [...(attr[typeAttr]?.list?.type ?? [])];
  for (const [i, v] of fnVars) types[i] = fz.top.nodes.get(v)?.attr?.dtype?.type ?? types[i]!;
  if (attr[typeAttr]) attr[typeAttr] = { list: { type: types } };
  const freeze = (f: tensorflow.INameAttrList | null | undefined): tensorflow.INameAttrList => ({ name: freezeFunction(fz, f?.name ?? '', fnVars, where), attr: f?.attr ?? {} });
  for (const k of funcAttrNames(node)) {
    const a = attr[k]!;
    attr[k] = a.func ? { func: freeze(a.func) } : { list: { func: (a.list?.func ?? []).map(freeze) } };
  }
  const deps = yield* controlDeps(fz, scope, node);
  if (deps.length > 0 && data.length > 0) data[0] = after(fz, data[0]!, deps, `${scope.prefix}${name}`);
  const emitted = fz.allocate(scope.prefix + name, scope.kind === 'graph');
  fz.emit({ name: emitted, op, input: data, attr });
  return { kind: 'emitted', name: emitted };
}

/** Function `fname` frozen with arguments `vars` (index → variable) bound to variable values; memoized. */
export function freezeFunction(fz: Freezer, fname: string, vars: Map<number, string>, where: string): string {
  const key = `${fname}\0${[...vars].map(([i, v]) => `${i}=${v}`).join(',')}`;
  const have = fz.frozenFns.get(key);
  if (have) return have.signature!.name!;
  const fdef = fz.fns.get(fname);
  if (!fdef) fz.fail('INVALID_GRAPH', `${where} calls function '${fname}', which is not in the library`);
  if (fz.fnDepth >= 32) fz.fail('LIMIT_EXCEEDED', `${where}: control flow nested deeper than 32 functions`);
  const fnName = `${fname}_frozen${fz.frozenFns.size}`;
  const argDefs = fdef.signature?.input_arg ?? [];
  const scope = newScope('function', `${fnName}/`, new Map((fdef.node_def ?? []).map((n) => [n.name ?? '', n])), `function ${fname} (called by ${where})`);
  scope.args = new Map(argDefs.map((a, i) => [a.name ?? '', i]));
  argDefs.forEach((a, i) => {
    const v = vars.get(i);
    scope.argVals.set(a.name ?? '', v !== undefined ? { t: 'var', node: v } : { t: 'tensor', ref: a.name ?? '' });
  });
  const frozen: tensorflow.IFunctionDef = {
    signature: {
      name: fnName,
      input_arg: argDefs.map((a, i) => ({ name: a.name ?? '', type: vars.has(i) ? fz.top.nodes.get(vars.get(i)!)?.attr?.dtype?.type ?? a.type : a.type })),
      output_arg: [],
    },
    node_def: [],
    ret: {},
  };
  fz.frozenFns.set(key, frozen); // before the body: a function reached again (recursion) is named already
  const saved = fz.out;
  fz.out = frozen.node_def!;
  fz.fnDepth++;
  try {
    const deps: string[] = [];
    for (const n of Object.values(fdef.control_ret ?? {})) deps.push(...fz.drive(controlTargets(fz, scope, n)));
    const retRefs = new Map<string, string>();
    (fdef.signature?.output_arg ?? []).forEach((a, i) => {
      const r = fdef.ret?.[a.name ?? ''];
      if (r === undefined) fz.fail('INVALID_GRAPH', `function ${fname} has no ret for output '${a.name}'`);
      const v = fz.drive(fz.resolve(scope, r));
      let ref: string;
      if (v.t === 'var') ref = emitRead(fz, scope, `ret_${i}`, v.node, []);
      else if (v.t !== 'tensor') return fz.fail('UNSUPPORTED', `function ${fname} returns resource ${v.node}`);
      else ref = v.ref;
      // outputs wait for the body's effects (the executor runs only what outputs need)
      ref = after(fz, ref, [...new Set(deps)], `${fnName}/ret_${i}`);
      const type = v.t === 'var' ? fz.top.nodes.get(v.node)?.attr?.dtype?.type ?? a.type : a.type;
      // tfjs-converter marks a function's output node with one output index: two outputs of
      // the same node (`if`, `if:1`) would both read the last one, so later ones get an Identity
      const node = ref.split(':')[0]!;
      if (retRefs.has(node) && retRefs.get(node) !== ref) {
        const id = fz.allocate(`${fnName}/ret_${i}`, false);
        fz.emit({ name: id, op: 'Identity', input: [ref], attr: { T: { type: type ?? 0 } } });
        ref = id;
      } else retRefs.set(node, ref);
      frozen.signature!.output_arg!.push({ name: a.name ?? '', type });
      frozen.ret![a.name ?? ''] = ref;
    });
  } finally {
    fz.out = saved;
    fz.fnDepth--;
  }
  return fnName;
}
