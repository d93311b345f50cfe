// Loads the fixture checkpoints (TensorFlow-written variables/ directories).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURE_NAMES } from './shared.js';

export interface FixtureCheckpoint {
  name: string;
  index: Uint8Array;
  /** Shard 0 (every fixture has one data file). */
  data: Uint8Array;
}

/** Fixtures whose index data blocks TensorFlow wrote Snappy-compressed. */
export const SNAPPY_FIXTURES = ['half_plus_two_tf2', 'half_plus_two_v1'];

export function loadFixtureCheckpoint(name: string): FixtureCheckpoint {
  const dir = join(FIXTURES, name, 'variables');
  return {
    name,
    index: new Uint8Array(readFileSync(join(dir, 'variables.index'))),
    data: new Uint8Array(readFileSync(join(dir, 'variables.data-00000-of-00001'))),
  };
}

export const CHECKPOINT_FIXTURES: string[] = FIXTURE_NAMES;
