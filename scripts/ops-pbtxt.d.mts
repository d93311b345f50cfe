/** An op registry dump's text without its `experimental_full_type { ... }` blocks. */
export function withoutFullTypes(text: string): string;
