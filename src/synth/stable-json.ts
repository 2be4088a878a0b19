/**
 * The key-sorted JSON cdktf writes every `cdk.tf.json` and `manifest.json` with, byte for byte as
 * json-stable-stringify 1.3.0 (cdktf's own dependency) writes it, in about a third less time: the
 * original builds each indent character by character and a closure per node, and calls every array
 * method through a bound wrapper. A fifth of a synthesis thread's CPU went there.
 *
 * Installed in place of the module cdktf's synthesizer and manifest load (./stable-json-install.ts);
 * test/synth/stable-json.test.ts pins the original's source and compares the two on every kind of
 * value, and the byte-identity test compares whole projects against stock cdktf.
 */

/** json-stable-stringify's signature, as far as cdktf uses it. */
export type StableStringify = (value: unknown, options?: unknown) => string | undefined;

/**
 * What json-stable-stringify returns for `(value, { space })`: keys sorted (default string order),
 * `toJSON` applied, `undefined` and functions left out of objects and written `null` in arrays,
 * an empty object or array written open (`{` newline, indent, `}`), a cycle through objects refused.
 */
export function stableStringify(value: unknown, space: string): string | undefined {
  const indents: string[] = [];
  const indent = (level: number) => (indents[level] ??= space ? `\n${space.repeat(level)}` : '');
  const colon = space ? ': ' : ':';
  const ancestors: object[] = [];

  const render = (node: unknown, level: number): string | undefined => {
    // Read as the original reads it (three times), so that even a getter answers the same.
    const withToJson = node as { toJSON?: unknown };
    if (withToJson && withToJson.toJSON && typeof withToJson.toJSON === 'function') node = (node as { toJSON(): unknown }).toJSON();
    if (node === undefined) return undefined;
    if (typeof node !== 'object' || node === null) return JSON.stringify(node);
    const inner = indent(level + 1);
    if (Array.isArray(node)) {
      let out = '[';
      for (let i = 0; i < node.length; i++) out += (i ? ',' : '') + inner + (render(node[i], level + 1) || 'null');
      return `${out}${indent(level)}]`;
    }
    if (ancestors.includes(node)) throw new TypeError('Converting circular structure to JSON');
    ancestors.push(node);
    const record = node as Record<string, unknown>;
    let out = '{';
    let separator = inner;
    for (const key of Object.keys(record).sort()) {
      const rendered = render(record[key], level + 1);
      if (!rendered) continue;
      out += separator + JSON.stringify(key) + colon + rendered;
      separator = `,${inner}`;
    }
    ancestors.pop();
    return `${out}${indent(level)}}`;
  };
  return render(value, 0);
}

/** The `space` option as json-stable-stringify reads it, or undefined for options this module does not reproduce. */
function spaceOf(options: unknown): string | undefined {
  if (options === undefined) return '';
  if (typeof options !== 'object' || options === null) return undefined;
  // Only a plain object whose one own property is a `space` value: the original reads its other
  // options (cycles, cmp, replacer, collapseEmpty) through the prototype and accessors too.
  const prototype = Object.getPrototypeOf(options);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const names = Reflect.ownKeys(options);
  if (names.some((name) => name !== 'space')) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(options, 'space');
  if (descriptor && !('value' in descriptor)) return undefined;
  const space = descriptor?.value;
  if (!space) return '';
  if (typeof space === 'string') return space;
  // The original repeats a space while its counter is below the number: whole numbers alike.
  return Number.isInteger(space) && (space as number) > 0 && (space as number) <= 10 ? ' '.repeat(space as number) : undefined;
}

/**
 * The stand-in for json-stable-stringify: stableStringify for the options cdktf passes, the
 * original for anything else and whenever `useOriginal()` says so (cdktf's stock behaviour requested).
 */
export function standIn(original: StableStringify, useOriginal: () => boolean): StableStringify {
  return (value, options) => {
    const space = useOriginal() ? undefined : spaceOf(options);
    return space === undefined ? original(value, options) : stableStringify(value, space);
  };
}
