// What the graph validator reports: findings as data (never exceptions), their codes, and options.
import type { tensorflow } from '../proto/index.js';

export type FindingCode =
  /** op is neither registered nor a library function (error when strict) */
  | 'UNKNOWN_OP'
  /** attr not declared by the OpDef and not "_"-prefixed (error when strict) */
  | 'UNKNOWN_ATTR'
  /** op or attr known only to the `newer` registry, not to TF 2.2's (error when strict) */
  | 'NEEDS_NEWER_TF'
  /** attr without default missing */
  | 'MISSING_ATTR'
  /** attr value of the wrong kind (e.g. an int where "type" is declared) */
  | 'ATTR_TYPE'
  /** attr value outside allowed_values */
  | 'ATTR_NOT_ALLOWED'
  /** int attr or list length below the declared minimum */
  | 'ATTR_MINIMUM'
  /** number of data inputs differs from what the OpDef / function signature needs */
  | 'INPUT_ARITY'
  /** input string that cannot be parsed, or a data input after a control input */
  | 'BAD_INPUT'
  /** input names a node / function arg that does not exist */
  | 'DANGLING_INPUT'
  /** "node:out_arg:i" names an output arg the producing op does not have */
  | 'BAD_OUTPUT_ARG'
  /** output index beyond the producing node's outputs */
  | 'BAD_OUTPUT_INDEX'
  /** dtype of an input differs from the dtype the op expects there */
  | 'INPUT_TYPE'
  /** called function (op name, func attr) not in the library */
  | 'UNKNOWN_FUNCTION'
  /** Tin / Tout of a call do not match the called function's signature */
  | 'CALL_SIGNATURE'
  /** two nodes (or functions, or args) with the same name */
  | 'DUPLICATE_NAME'
  /** FunctionDef ret / control_ret / control_output inconsistent or unresolved */
  | 'BAD_RET';

export interface Finding {
  severity: 'error' | 'warning';
  /** a FindingCode for findings of validateGraphDef; other checkers add their own codes */
  code: string;
  /** e.g. 'graph_def.node[3] "Mul"' or 'function __inference_x_12 node "mul"' */
  where: string;
  message: string;
}

export interface ValidateOptions {
  /** Unknown ops and attrs are errors instead of warnings. */
  strict?: boolean;
  /** OpDef source; default: the bundled registry. */
  lookup?: (name: string) => tensorflow.IOpDef | undefined;
  /**
   * A newer registry (what loadNewestOpRegistry resolves to: TF 2.21). Its OpDef, when it has one, is what a
   * node is checked against (attrs added later, with their defaults, give the input types), and
   * what only it declares is reported as NEEDS_NEWER_TF instead of UNKNOWN_OP / UNKNOWN_ATTR.
   */
  newer?: (name: string) => tensorflow.IOpDef | undefined;
  /** Names the newer registry in messages; default "TensorFlow newer than 2.2". */
  newerLabel?: string;
}
