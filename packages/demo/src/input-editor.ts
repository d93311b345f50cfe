// The loaded SavedModel's inputs as editable fields: one row per signature input with its dtype,
// its shape (unknown dims -1 become a number field, 1 by default) and its values as text, plus
// "random" and "zeros" buttons. values() turns the fields into the plain nested arrays that
// TFSavedModel.run() takes (it converts them to the declared dtype and range-checks integers).

export interface InputSpec {
  key: string;
  /** TensorFlow.js dtype: 'float32', 'int32', 'bool', 'string'. */
  dtype: string;
  /** TensorFlow dtype the signature declares ('DT_INT64'). */
  tfDtype: string;
  /** null: unknown rank. -1: unknown dim. */
  shape: number[] | null;
}

export interface InputValue {
  key: string;
  shape: number[];
  /** Nested rows (a scalar for shape []), what TFSavedModel.run() takes. */
  value: unknown;
}

type Fill = 'zeros' | 'random';

/** Elements one input may have: the page builds the tensor from text, keep it small. */
const MAX_ELEMENTS = 1 << 20;
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'tensor', 'flow'];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, testId?: string): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  if (testId) e.setAttribute('data-testid', testId);
  return e;
}

/** A DOM-id-safe form of an input key (test ids and label targets). */
export function slug(key: string): string {
  return key.replace(/[^\w-]/g, '_');
}

export function shapeText(shape: readonly number[] | null): string {
  return shape ? `[${shape.join(', ')}]` : '[?]';
}

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function valueText(dtype: string, fill: Fill, n: number, rowLength: number): string {
  const values: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = Math.random();
    switch (dtype) {
      case 'string': values.push(fill === 'zeros' ? '' : WORDS[Math.floor(r * WORDS.length)]!); break;
      case 'bool': values.push(fill === 'zeros' ? 'false' : String(r < 0.5)); break;
      // 0..9: inside every integer dtype's range (uint8 included)
      case 'int32': values.push(fill === 'zeros' ? '0' : String(Math.floor(r * 10))); break;
      default: values.push(fill === 'zeros' ? '0' : (r * 2 - 1).toFixed(4));
    }
  }
  // Strings one per line (they may contain spaces); numbers one row of the last dim per line.
  if (dtype === 'string') return values.join('\n');
  const lines: string[] = [];
  const w = Math.max(rowLength, 1);
  for (let i = 0; i < values.length; i += w) lines.push(values.slice(i, i + w).join(', '));
  return lines.join('\n');
}

function nest(flat: unknown[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  const step = count(rest);
  const out: unknown[] = [];
  for (let i = 0; i < d!; i++) out.push(nest(flat.slice(i * step, (i + 1) * step), rest));
  return out;
}

class InputRow {
  readonly root: HTMLElement;
  private readonly dims: (HTMLInputElement | number)[] = [];
  private readonly shapeField: HTMLInputElement | null = null;
  private readonly text: HTMLTextAreaElement;
  private fill: Fill = 'zeros';

  constructor(readonly spec: InputSpec, initial?: number[][]) {
    const id = slug(spec.key);
    this.root = el('div', { className: 'input-row' }, `input-row-${id}`);
    const head = el('div', { className: 'row' });
    head.append(el('strong', { textContent: spec.key }), el('code', { textContent: `${spec.dtype} (${spec.tfDtype})` }));
    const shape = el('span', { className: 'shape' });
    shape.append('shape [');
    if (spec.shape) {
      spec.shape.forEach((d, i) => {
        if (i > 0) shape.append(', ');
        if (d >= 0) {
          this.dims.push(d);
          shape.append(String(d));
        } else {
          const f = el('input', { type: 'number', min: '0', max: String(MAX_ELEMENTS), value: '1', className: 'dim' }, `dim-${id}-${i}`);
          f.setAttribute('aria-label', `${spec.key}: size of dimension ${i} (unknown in the signature)`);
          f.addEventListener('change', () => this.refill(false));
          this.dims.push(f);
          shape.append(f);
        }
      });
    } else {
      // unknown rank: the shape itself is editable
      this.shapeField = el('input', { type: 'text', value: '1', size: 10, className: 'dim' }, `shape-${id}`);
      this.shapeField.setAttribute('aria-label', `${spec.key}: shape, comma-separated (unknown rank in the signature)`);
      this.shapeField.addEventListener('change', () => this.refill(false));
      shape.append(this.shapeField);
    }
    shape.append(']');
    const random = el('button', { type: 'button', textContent: 'random' }, `random-${id}`);
    random.setAttribute('aria-label', `random values for ${spec.key}`);
    random.addEventListener('click', () => { this.fill = 'random'; this.refill(true); });
    const zeros = el('button', { type: 'button', textContent: 'zeros', className: 'secondary' }, `zeros-${id}`);
    zeros.setAttribute('aria-label', `zeros for ${spec.key}`);
    zeros.addEventListener('click', () => { this.fill = 'zeros'; this.refill(true); });
    head.append(shape, random, zeros);
    this.text = el('textarea', { rows: 3, cols: 60, spellcheck: false, className: 'values' }, `input-${id}`);
    this.text.setAttribute('aria-label', `values of ${spec.key}: ${spec.dtype === 'string' ? 'one string per line' : 'numbers separated by commas, spaces or new lines'}`);
    this.root.append(head, this.text);
    if (initial && initial.length > 0 && this.setRows(initial)) return;
    this.refill(true);
  }

  /** Puts rows (a batch of the trailing dims) into the fields when the shape allows them. */
  private setRows(rows: number[][]): boolean {
    const s = this.spec.shape;
    if (!s || s.length !== 2 || s[1] !== rows[0]!.length || !(typeof this.dims[0] === 'object')) return false;
    (this.dims[0] as HTMLInputElement).value = String(rows.length);
    this.text.value = rows.map((r) => r.join(', ')).join('\n');
    return true;
  }

  /** The shape the fields describe; throws a message naming the input when a size is not valid. */
  shape(): number[] {
    const dims = this.shapeField
      ? this.shapeField.value.trim() === '' ? [] : this.shapeField.value.split(/[\s,]+/).filter(Boolean).map(Number)
      : this.dims.map((d) => (typeof d === 'number' ? d : Number(d.value)));
    for (const d of dims) {
      if (!Number.isInteger(d) || d < 0) throw new Error(`input '${this.spec.key}': every dimension must be a whole number ≥ 0 (shape ${shapeText(dims)})`);
    }
    if (count(dims) > MAX_ELEMENTS) throw new Error(`input '${this.spec.key}': shape ${shapeText(dims)} has ${count(dims)} elements; the page edits at most ${MAX_ELEMENTS}`);
    return dims;
  }

  /** Refills the values: always when `force`, else only when their count no longer fits the shape. */
  private refill(force: boolean): void {
    let shape: number[];
    try {
      shape = this.shape();
    } catch {
      return; // the Run reports the bad size
    }
    const n = count(shape);
    if (!force && this.tokens().length === n) return;
    this.text.value = valueText(this.spec.dtype, this.fill, n, shape.at(-1) ?? 1);
  }

  private tokens(): string[] {
    const t = this.text.value;
    if (this.spec.dtype === 'string') return t === '' ? [] : t.split('\n');
    return t.split(/[\s,]+/).filter((s) => s !== '');
  }

  value(): InputValue {
    const shape = this.shape();
    const tokens = this.tokens();
    const n = count(shape);
    // a string tensor of one empty string has no text to split: '' is one value there
    const strings = this.spec.dtype === 'string' && tokens.length === 0 && n === 1 ? [''] : tokens;
    if (strings.length !== n) throw new Error(`input '${this.spec.key}': ${strings.length} values for shape ${shapeText(shape)}, which needs ${n}`);
    const flat = strings.map((s, i): unknown => {
      switch (this.spec.dtype) {
        case 'string': return s;
        case 'bool':
          if (/^(true|1)$/i.test(s)) return true;
          if (/^(false|0)$/i.test(s)) return false;
          throw new Error(`input '${this.spec.key}': value ${i} is ${JSON.stringify(s.slice(0, 40))}, expected true/false`);
        default: {
          const v = Number(s);
          if (s.trim() === '' || Number.isNaN(v) && !/^nan$/i.test(s)) throw new Error(`input '${this.spec.key}': value ${i} is ${JSON.stringify(s.slice(0, 40))}, not a number`);
          return v;
        }
      }
    });
    return { key: this.spec.key, shape, value: nest(flat, shape) };
  }
}

export class InputEditor {
  private rows: InputRow[] = [];

  constructor(private readonly container: HTMLElement) {}

  /** One row per input; `initial` rows go to a [-1, k] input whose k matches (the demo's probe). */
  show(specs: InputSpec[], initial?: number[][]): void {
    this.rows = specs.map((s) => new InputRow(s, initial));
    this.container.replaceChildren(...this.rows.map((r) => r.root));
    if (specs.length === 0) this.container.textContent = 'This signature takes no inputs.';
  }

  clear(): void {
    this.rows = [];
    this.container.replaceChildren();
  }

  /** Every input's value; throws an Error naming the input whose fields are not valid. */
  values(): InputValue[] {
    return this.rows.map((r) => r.value());
  }
}
