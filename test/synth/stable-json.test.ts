import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { CDKTF_STABLE_STRINGIFY, ORIGINAL_STABLE_STRINGIFY, STABLE_JSON_INSTALLED } from '../../src/synth/stable-json-install';
import { standIn, stableStringify } from '../../src/synth/stable-json';
import { tuneCdktf } from '../../src/synth/cdktf-tuning';
import { repoRoot } from '../cli/helpers';

/**
 * src/synth/stable-json.ts stands in for json-stable-stringify 1.3.0 in cdktf. The original's
 * source is pinned (an upgrade must be re-read against the stand-in before re-pinning), and the two
 * are compared on every kind of value a stack could hold and on a few thousand generated ones.
 */
const original = ORIGINAL_STABLE_STRINGIFY;
/** Options the stand-in handed to the original instead of writing itself. */
const delegated: unknown[] = [];
const fast = standIn(
  (value, options) => (delegated.push(options), original(value, options)),
  () => false,
);
/**
 * Options as cdktf makes them: in its own realm, the worker's (test/setup/shared-modules-runtime.js),
 * whose `Object.prototype` the stand-in checks for. Options made in this file would go to the original.
 */
const cdktfOptions = (source: string): object => vm.runInThisContext(`(${source})`);

const outcome = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
};

describe('GIVEN the json-stable-stringify cdktf depends on', () => {
  const dir = path.dirname(CDKTF_STABLE_STRINGIFY);
  test('THEN it is 1.3.0, with the source the stand-in was written against', () => {
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version).toBe('1.3.0');
    const source = fs.readFileSync(CDKTF_STABLE_STRINGIFY, 'utf8');
    expect(createHash('sha256').update(source).digest('hex').slice(0, 16)).toBe('53e378723c97a3bd');
  });

  test('THEN cdktf, loaded after the tuning, gets the stand-in; the stock behaviour gets the original back', () => {
    expect(STABLE_JSON_INSTALLED).toBe(true);
    const loaded = require(CDKTF_STABLE_STRINGIFY) as typeof original;
    expect(loaded).not.toBe(original);
    expect(loaded({ b: [], a: {} }, cdktfOptions('{ space: 2 }'))).toBe(original({ b: [], a: {} }, { space: 2 }));
  });

  test('THEN the CLI, from compiled JavaScript, writes with the stand-in', () => {
    const probe = `
      require('./dist/src/synth/app.js');
      require('./dist/src/synth/cdktf-tuning.js').tuneCdktf();
      const install = require('./dist/src/synth/stable-json-install.js');
      const loaded = require(install.CDKTF_STABLE_STRINGIFY);
      require('cdktf/lib/synthesize/synthesizer');
      process.stdout.write(JSON.stringify([install.STABLE_JSON_INSTALLED, loaded !== install.ORIGINAL_STABLE_STRINGIFY]));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: repoRoot, encoding: 'utf8' }))).toEqual([true, true]);
  });

  afterAll(() => tuneCdktf());
});

describe('GIVEN a value', () => {
  class WithToJson {
    toJSON() {
      return { z: 1, a: [new Date(0)] };
    }
  }
  const shared = { k: 'v' };
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = { back: cyclic };
  const values: Record<string, unknown> = {
    'a stack-like document': { resource: { aws_s3_bucket: { b: { bucket: 'x', tags: { Z: '1', A: '2' } } } }, '//': { metadata: {} } },
    'empty containers at every depth': [{}, [], { a: {}, b: [], c: [[], [{}]] }],
    'an empty object at the top': {},
    'an empty array at the top': [],
    'undefined, functions and symbols': { u: undefined, f: () => 1, s: Symbol('s'), list: [undefined, () => 1, Symbol('t')] },
    'keys in every order': { b: 1, a: 2, B: 3, _: 4, '-': 5, '10': 6, '9': 7, é: 8, '': 9, 'a.b': 10 },
    'strings that need escaping': { q: '"quoted"', nl: 'a\nb', tab: '\t', nul: '\u0000', emoji: '😀', lone: '\ud800', 'key\n"': 'v' },
    'numbers at the edges': [0, -0, 1.5, -1e300, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, 5e-324],
    'booleans and null': { t: true, f: false, n: null, list: [null, true] },
    'a sparse array': sparse,
    'objects with toJSON, and Dates': { d: new Date(86400000), o: new WithToJson(), nested: [{ d: new Date(0) }] },
    'boxed primitives': { s: new String('ab'), n: new Number(3), b: new Boolean(false) },
    'a Map and a Set': { m: new Map([['a', 1]]), s: new Set([1]) },
    'a toJSON getter that answers each read differently': (() => {
      let reads = 0;
      return {
        x: 1,
        get toJSON() {
          return ++reads === 1 ? () => 'A' : undefined;
        },
      };
    })(),
    'the same object twice, not a cycle': { a: shared, b: [shared, shared] },
    'a cycle': cyclic,
    'a BigInt': { n: BigInt(1) },
    'a string': 'plain',
    'a number': 42,
    undefined: undefined,
    'a function': () => 1,
    null: null,
  };
  const optionSets: Record<string, unknown> = {
    '{ space: 2 } (what cdktf passes)': cdktfOptions('{ space: 2 }'),
    '{ space: 0 }': cdktfOptions('{ space: 0 }'),
    "{ space: '\\t' }": cdktfOptions("{ space: '\\t' }"),
    'no options': undefined,
  };
  describe.each(Object.keys(optionSets))('WHEN it is written with %s', (options) => {
    test.each(Object.keys(values))('THEN %s is written exactly as json-stable-stringify writes it', (name) => {
      const expected = outcome(() => original(values[name], optionSets[options]));
      delegated.length = 0;
      expect(outcome(() => fast(values[name], optionSets[options]))).toEqual(expected);
      expect(delegated).toEqual([]);
    });
  });

  test('THEN options the stand-in does not reproduce go to the original', () => {
    const calls: unknown[] = [];
    const recording = standIn(
      (_value, o) => (calls.push(o), 'original'),
      () => false,
    );
    const others = [
      { space: 2, cycles: true },
      { cmp: () => 0 },
      { space: 2.5 },
      { space: true },
      { space: 2, replacer: () => 1 },
      () => 0,
      // Options the original reads through the prototype, a hidden property or an accessor.
      Object.create({ cycles: true }, { space: { value: 2, enumerable: true } }),
      Object.defineProperty({ space: 2 }, 'cycles', { value: true }),
      Object.defineProperty({}, 'space', { get: () => 2, enumerable: true }),
    ];
    for (const o of others) expect(recording({ a: 1 }, o)).toBe('original');
    expect(calls).toEqual(others);
    expect(
      standIn(
        () => 'original',
        () => true,
      )({ a: 1 }, { space: 2 }),
    ).toBe('original');
  });

  test('THEN two thousand generated documents are written exactly as json-stable-stringify writes them', () => {
    // A small deterministic generator (mulberry32): nested objects, arrays and scalars of every kind.
    let seed = 20261202;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
    const KEYS = ['a', 'b', 'Z', '_x', '10', '2', '-', 'key.with.dots', 'é', '', 'metadata', 'name'];
    const SCALARS = [0, -1, 1.5, 1e21, 'x', '', 'a"b', '${aws_s3_bucket.b.arn}', true, false, null, undefined];
    const generate = (depth: number): unknown => {
      const r = random();
      if (depth > 4 || r < 0.4) return pick(SCALARS);
      if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => generate(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(KEYS), generate(depth + 1)]));
    };
    const options = cdktfOptions('{ space: 2 }');
    delegated.length = 0;
    const differing = Array.from({ length: 2000 }, () => generate(0)).filter((doc) => fast(doc, options) !== original(doc, options));
    expect(differing).toEqual([]);
    expect(delegated).toEqual([]);
  });

  test('THEN stableStringify itself takes the indent as a string', () => {
    expect(stableStringify({ b: [1], a: {} }, '  ')).toBe('{\n  "a": {\n  },\n  "b": [\n    1\n  ]\n}');
  });
});
