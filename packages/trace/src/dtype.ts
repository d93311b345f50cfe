// tfjs dtypes <-> TensorFlow DataType enum.
import type { DataType as TfjsDtype } from '@tensorflow/tfjs';
import { SavedModelError, tensorflow } from './core.js';

const DT = tensorflow.DataType;
export type TfDtype = tensorflow.DataType;
export type { TfjsDtype };

const TO_TF: Record<string, TfDtype> = {
  float32: DT.DT_FLOAT,
  int32: DT.DT_INT32,
  bool: DT.DT_BOOL,
  string: DT.DT_STRING,
  complex64: DT.DT_COMPLEX64,
};

export function tfDtype(d: string): TfDtype {
  const t = TO_TF[d];
  if (t === undefined) throw new SavedModelError('UNSUPPORTED', `dtype ${d} has no TensorFlow equivalent`);
  return t;
}

export function tfjsDtype(t: TfDtype): TfjsDtype {
  for (const [k, v] of Object.entries(TO_TF)) if (v === t) return k as TfjsDtype;
  throw new SavedModelError('UNSUPPORTED', `DataType ${DT[t] ?? t} has no tfjs equivalent`);
}

export function dtypeName(t: TfDtype): string {
  return DT[t] ?? String(t);
}
