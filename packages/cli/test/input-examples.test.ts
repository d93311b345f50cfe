// `savedmodel run --input_examples`, as saved_model_cli has it: lists of feature dicts serialized
// as tf.train.Example strings for signatures that parse Examples (TF 1.1's half_plus_two).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensorflow } from '@savedmodel-js/core';
import { main } from '../src/main.js';
import { parseInputExamples } from '../src/input-examples.js';
import { SHARED } from '../../core/test/shared.js';

const HALF_PLUS_TWO = join(SHARED, 'fixtures', 'tf-more', 'tf_half_plus_two');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

describe('savedmodel run --input_examples', () => {
  it('regress_x_to_y on Example{x: 8.0}, Example{x: 2.0} → 0.5x + 2 = [6, 3]', async () => {
    const r = await run('run', HALF_PLUS_TWO, '--signature_def', 'regress_x_to_y', '--input_examples', 'inputs=[{"x":[8.0]},{"x":[2.0]}]', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out).outputs.outputs;
    expect(out.shape).toEqual([2, 1]);
    expect(out.values).toEqual([6, 3]);
  });

  it('classify_x_to_y and regress_x_to_y2 (0.5x + 3), Python literal quoting', async () => {
    let r = await run('run', HALF_PLUS_TWO, '--signature_def', 'classify_x_to_y', '--input_examples', "inputs=[{'x':[4.0]}]", '--json');
    expect(JSON.parse(r.out).outputs.scores.values).toEqual([4]);
    r = await run('run', HALF_PLUS_TWO, '--signature_def', 'regress_x_to_y2', '--input_examples', 'inputs=[{"x":[4.0]}]', '--json');
    expect(JSON.parse(r.out).outputs.outputs.values).toEqual([5]);
  });

  it('8 is an int64_list, 8.0 a float_list, strings a bytes_list (as saved_model_cli decides by the first value)', () => {
    const [ex] = parseInputExamples('inputs', '[{"a":[8, 9], "b":[8.0], "c":["hi"], "d":[1e3]}]');
    const f = tensorflow.Example.decode(ex!).features!.feature!;
    expect(f.a!.int64_list!.value!.map(Number)).toEqual([8, 9]);
    expect(f.b!.float_list!.value).toEqual([8]);
    expect(new TextDecoder().decode(f.c!.bytes_list!.value![0]!)).toBe('hi');
    expect(f.d!.float_list!.value).toEqual([1000]);
  });

  it('malformed values → usage errors, not crashes', async () => {
    for (const bad of ['inputs={"x":[1.0]}', 'inputs=[{"x":1.0}]', 'inputs=[{"x":[1.0]', '[{"x":[1.0]}]', 'inputs=[{"x":[[1.0]]}]']) {
      const r = await run('run', HALF_PLUS_TWO, '--signature_def', 'regress_x_to_y', '--input_examples', bad);
      expect(r.code, bad).not.toBe(0);
      expect(r.err, bad).toMatch(/input_examples/);
    }
  });
});
