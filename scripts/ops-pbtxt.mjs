// Reading TensorFlow's op registry dumps (tf/ops*.pbtxt): shared by gen-op-registry.mjs and the
// core test that checks the generated TF 2.21 table against its dump.

/**
 * The text without its `experimental_full_type { ... }` blocks: our full_type.proto declares only
 * TFT_UNSET, so the text-format parser rejects the names TF 2.21 prints, and verify does not use
 * full types. Throws on an unbalanced block.
 */
export function withoutFullTypes(text) {
  const key = 'experimental_full_type {';
  let out = '';
  let at = 0;
  for (let i = text.indexOf(key); i >= 0; i = text.indexOf(key, at)) {
    out += text.slice(at, i);
    let depth = 0;
    let j = i + key.length - 1;
    for (; j < text.length; j++) {
      const c = text[j];
      if (c === '"') { for (j++; j < text.length && text[j] !== '"'; j++) if (text[j] === '\\') j++; }
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    if (depth !== 0) throw new Error('unbalanced experimental_full_type block');
    at = j + 1;
  }
  return out + text.slice(at);
}
