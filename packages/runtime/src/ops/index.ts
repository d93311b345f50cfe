// Host op implementations register themselves on import.
import './state.js';
import './tables.js';
import './parse-example.js';
import './int64-arith.js';
import './parse-sequence-example.js';
import './gradient-ops.js';
import './one-hot.js';
import './batch-matmul.js';
import './ensure-shape.js';
import './segment-sum.js';
import './nd-indices.js';
