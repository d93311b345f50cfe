// Turns symbolic sizes into graph tensors: a symbol is read from the input it came from with
// Shape + StridedSlice; products become Mul; shape vectors are Packed. Nodes are built once and
// shared.
import { SavedModelError, tensorflow } from '../core.js';
import { evalSym, isSym, type Sym, type SymDim } from '../tape/sym.js';
import type { SymbolInfo } from '../tape/tape.js';
import type { GraphBuilder, GraphTensor } from './graph-builder.js';

const DT = tensorflow.DataType;

export class ShapeExprs {
  private readonly shapes = new Map<number, GraphTensor>();
  private readonly scalars = new Map<string, GraphTensor>();

  constructor(
    private readonly b: GraphBuilder,
    private readonly symbols: readonly SymbolInfo[],
    private readonly inputTensor: (flatIndex: number) => GraphTensor,
  ) {}

  private topLevel<T>(f: () => T): T {
    const saved = this.b.scope;
    this.b.scope = '';
    try { return f(); } finally { this.b.scope = saved; }
  }

  private shapeOf(input: number): GraphTensor {
    let s = this.shapes.get(input);
    if (!s) {
      s = this.topLevel(() => this.b.emit1('Shape', [this.inputTensor(input)], { out_type: DT.DT_INT32 }));
      this.shapes.set(input, s);
    }
    return s;
  }

  /** Scalar int32 holding the size of symbol `index`. */
  symbol(index: number): GraphTensor {
    const key = `s${index}`;
    let t = this.scalars.get(key);
    if (!t) {
      const info = this.symbols[index];
      if (!info) throw new Error(`unknown symbol ${index}`);
      const shape = this.shapeOf(info.input);
      t = this.topLevel(() => {
        const c = (v: number) => this.b.constant(DT.DT_INT32, [1], [v]);
        return this.b.emit1('StridedSlice', [shape, c(info.axis), c(info.axis + 1), c(1)], { shrink_axis_mask: 1 }, { name: 'strided_slice', shapes: [[]] });
      });
      this.scalars.set(key, t);
    }
    return t;
  }

  /** Scalar int32 for a size. */
  scalar(d: SymDim): GraphTensor {
    if (!isSym(d)) return this.b.constant(DT.DT_INT32, [], [d]);
    if (d.unknown) {
      throw new SavedModelError('UNSUPPORTED', 'a size here depends on the input sizes in a way the tracer cannot express (not a product of them, e.g. batch + 1)');
    }
    const key = `${d.coef}*${d.factors.join('*')}`;
    let t = this.scalars.get(key);
    if (!t) {
      t = this.product(d);
      this.scalars.set(key, t);
    }
    return t;
  }

  private product(d: Sym): GraphTensor {
    return this.topLevel(() => {
      let t = this.symbol(d.factors[0]!);
      for (const f of d.factors.slice(1)) t = this.b.emit1('Mul', [t, this.symbol(f)], {}, { name: 'mul', shapes: [[]] });
      if (d.coef !== 1) t = this.b.emit1('Mul', [t, this.b.constant(DT.DT_INT32, [], [d.coef])], {}, { name: 'mul', shapes: [[]] });
      return t;
    });
  }

  /** The value a size had in each of the two traces (undefined when not recorded). */
  private traced(d: SymDim): [number, number] | undefined {
    if (typeof d === 'number') return [d, d];
    if (d.unknown) return d.traced ? [d.traced[0], d.traced[1]] : undefined;
    return [evalSym(d, this.symbols.map((s) => s.sizes[0]!)), evalSym(d, this.symbols.map((s) => s.sizes[1]!))];
  }

  /**
   * 1-D int32 tensor for sizes known to be affine in the same-axis dims of `t` (a transposed
   * convolution's output: stride * in + max(kernel - stride, 0)). Sizes that are products of
   * the input sizes are computed from them; the rest as k * Shape(t)[axis] + o, with k and o
   * fitted to the two traces.
   */
  affineVector(dims: readonly SymDim[], t: GraphTensor): GraphTensor {
    if (!dims.some((d) => isSym(d) && d.unknown)) return this.vector(dims);
    let shape: GraphTensor | undefined;
    const parts = dims.map((d, axis) => {
      if (!isSym(d) || !d.unknown) return this.scalar(d);
      const s = this.traced(d), dim = t.shape?.[axis], x = dim === undefined ? undefined : this.traced(dim);
      const k = s && x && x[0] !== x[1] ? (s[0] - s[1]) / (x[0] - x[1]) : NaN;
      if (!s || !x || !Number.isInteger(k)) {
        throw new SavedModelError('UNSUPPORTED', `size #${axis} depends on the input sizes in a way the tracer cannot express (not affine in the input's dim ${axis})`);
      }
      const o = s[0] - k * x[0];
      const c = (v: number[]) => this.b.constant(DT.DT_INT32, [v.length], v);
      shape ??= this.b.emit1('Shape', [t], { out_type: DT.DT_INT32 }, { shapes: [[dims.length]] });
      let v = this.b.emit1('StridedSlice', [shape, c([axis]), c([axis + 1]), c([1])], { shrink_axis_mask: 1 }, { name: 'strided_slice', shapes: [[]] });
      if (k !== 1) v = this.b.emit1('Mul', [v, this.b.constant(DT.DT_INT32, [], [k])], {}, { name: 'mul', shapes: [[]] });
      if (o !== 0) v = this.b.emit1('AddV2', [v, this.b.constant(DT.DT_INT32, [], [o])], {}, { name: 'add', shapes: [[]] });
      return v;
    });
    return this.b.emit1('Pack', [parts], { axis: 0 }, { name: 'stack', shapes: [[dims.length]] });
  }

  /**
   * 1-D int32 tensor for a list of sizes. With `inferOne`, a single symbolic entry becomes -1
   * (what Reshape infers), keeping the graph a plain Const.
   */
  vector(dims: readonly SymDim[], opts: { inferOne?: boolean } = {}): GraphTensor {
    const syms = dims.filter(isSym).length;
    if (syms === 0) return this.b.constant(DT.DT_INT32, [dims.length], dims as number[]);
    if (syms === 1 && opts.inferOne) return this.b.constant(DT.DT_INT32, [dims.length], dims.map((d) => (isSym(d) ? -1 : d)));
    const parts = dims.map((d) => this.scalar(d));
    return this.b.emit1('Pack', [parts], { axis: 0 }, { name: 'stack', shapes: [[dims.length]] });
  }
}
