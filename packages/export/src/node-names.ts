// Names the builder gives: checkpoint key segments (escaped as TF's trackable names), op names
// of signature placeholders, top-level node names, and a graph's unique-name scope.

export function escapeCheckpointName(s: string): string {
  if (s.indexOf('.') < 0 && s.indexOf('/') < 0) return s;
  return s.replace(/\./g, '..').replace(/\//g, '.S');
}

/** Names graphNodeName leaves as they are (checked first: most names are). */
const GRAPH_NAME_OK = /^[A-Za-z0-9.][A-Za-z0-9_.\-]*(?:\/[A-Za-z0-9_.\-]+)*$/;

/** Op-name sanitising as TF's signature placeholders: [A-Za-z0-9_.\-], leading invalid characters dropped. */
export function opName(s: string): string {
  let n = s.replace(/[^A-Za-z0-9_.\-]/g, '_');
  n = n.replace(/^[^A-Za-z0-9.]+/, '');
  return n || 'input';
}

/** A valid top-level node name ([A-Za-z0-9.][A-Za-z0-9_.\-/]*) from a variable name. */
export function graphNodeName(s: string): string {
  if (GRAPH_NAME_OK.test(s)) return s;
  const n = s.replace(/[^A-Za-z0-9_.\-/]/g, '_').replace(/\/+/g, '/').replace(/^[^A-Za-z0-9.]+/, '').replace(/\/$/, '');
  return n || 'Variable';
}

/** Graph-level node names: unique case-insensitively, as tf.Graph.unique_name. */
export class NameScope {
  private readonly used = new Set<string>();
  /** Per base, a suffix below which every `${base}_${i}` is taken (the set only grows): no rescans from 1. */
  private readonly nextSuffix = new Map<string, number>();
  unique(base: string): string {
    let n = base;
    if (this.used.has(n.toLowerCase())) {
      let i = this.nextSuffix.get(base) ?? 1;
      for (n = `${base}_${i}`; this.used.has(n.toLowerCase()); n = `${base}_${i}`) i++;
      this.nextSuffix.set(base, i + 1);
    }
    this.mark(n);
    return n;
  }
  /** Takes the name and every scope above it ("a/b/c": "a", "a/b", "a/b/c"), case-insensitively. */
  mark(name: string): void {
    const lower = name.toLowerCase();
    this.used.add(lower);
    // from the innermost scope out: a scope already taken has its parents taken too
    for (let i = lower.lastIndexOf('/'); i >= 0; i = lower.lastIndexOf('/', i - 1)) {
      const scope = lower.slice(0, i);
      if (this.used.has(scope)) break;
      this.used.add(scope);
      if (i === 0) break;
    }
  }
}
