// A custom op's node as tfjs-converter hands it over: its name and raw attrs, read the same way
// whether the graph is one we built (`s` as bytes) or came from a model.json (`s` base64).
import type { GraphNode } from '@tensorflow/tfjs-converter';

export interface RawAttr { s?: ArrayLike<number> | string; i?: number | string; list?: { i?: (number | string)[] } }
interface RawNode { name?: string; rawAttrs?: Record<string, RawAttr> }

/** The node's name ('?' when unknown) and raw attrs. */
export function rawNode(gn: GraphNode): { name: string; attrs: Record<string, RawAttr> } {
  const raw = (gn as unknown as { node?: RawNode }).node;
  return { name: raw?.name ?? '?', attrs: raw?.rawAttrs ?? {} };
}

/** A string attr, or `fallback` when unset. */
export function rawStr(a: RawAttr | undefined, fallback: string): string {
  if (a?.s === undefined) return fallback;
  if (typeof a.s === 'string') {
    try { return atob(a.s); } catch { return a.s; }
  }
  return String.fromCharCode(...Array.from(a.s));
}

/** An int attr (int64s arrive as strings from a model.json), or `fallback` when unset. */
export function rawInt(a: RawAttr | undefined, fallback: number): number {
  return a?.i === undefined ? fallback : Number(a.i);
}

/** A list(int) attr ([] when unset). */
export function rawInts(a: RawAttr | undefined): number[] {
  return a?.list?.i?.map(Number) ?? [];
}
