import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { App, Lazy, LocalBackend, TerraformElement, TerraformOutput, TerraformStack, Token } from 'cdktf';
import * as privateResolve from 'cdktf/lib/tokens/private/resolve';
import * as encoding from 'cdktf/lib/tokens/private/encoding';
import { TokenMap } from 'cdktf/lib/tokens/private/token-map';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { TenantctlError } from '../../src/model/errors';
import { STACK_TRACES_ENV, STOCK, releaseTokensSince, tokenMark, tuneCdktf } from '../../src/synth/cdktf-tuning';
import { DEFERRED_PACKAGES, deferredPackageFile } from '../../src/synth/deferred-packages';
import { repoRoot } from '../cli/helpers';
import { tempDir } from '../util';

/**
 * src/synth/cdktf-tuning.ts replaces or wraps these functions of cdktf 0.21.0 (and synthesizeApp
 * mirrors App.synth per stack, and releases tokens from the token registry as it fills). Their
 * source is pinned: when an upgrade changes one, re-read it against the tuning (is the
 * replacement still equivalent, is the output still byte-identical?) and only then re-pin.
 */
/** Any function whose source is read. */
type SourceOf = (...args: never[]) => unknown;

const PINNED: Record<string, [() => SourceOf, string]> = {
  'captureStackTrace (tokens/private/stack-trace)': [() => STOCK.captureStackTrace, '4b92f5ee4e8121d2'],
  'resolve (_tokens)': [() => STOCK.resolve, 'bb7d4a1eefa3ebad'],
  'TerraformStack.prepareStack': [() => STOCK.prepareStack, '7f39aeeb3fcd23a8'],
  'TerraformStack.toTerraform': [() => STOCK.toTerraform, '07d724012b247878'],
  'Reference.resolve (tfExpression)': [() => STOCK.referenceResolve, '04e95cd69ef257c1'],
  // What the merge of fragments into the document mirrors (and hands every other merge to).
  'deepMerge (util)': [() => STOCK.deepMerge, '95558c68cdbca7d6'],
  // What the tuned keysToSnakeCase mirrors step for step, and the snakeCase it remembers.
  'keysToSnakeCase (util)': [() => STOCK.keysToSnakeCase, '1af590549088b548'],
  'snakeCase (util)': [() => require('cdktf/lib/util').snakeCase, '383d16c8c64a449e'],
  'App.synth': [() => App.prototype.synth, 'e8cbafe6ec95f0b0'],
  // What the copy of plain values mirrors: the resolver itself and its token tests.
  'resolve (tokens/private/resolve)': [() => privateResolve.resolve, 'c994da7dc9aece4b'],
  'TokenString (tokens/private/encoding)': [() => encoding.TokenString as unknown as SourceOf, '41d60461b4353cd8'],
  'unresolved (tokens/private/encoding)': [() => encoding.unresolved, '220cdfc75dd48ada'],
  'containsMapToken (tokens/private/encoding)': [() => encoding.containsMapToken, '6dee5ac1f0bbda0e'],
  'extractTokenDouble (tokens/private/encoding)': [() => encoding.extractTokenDouble, '776dd8e44ad94058'],
  'TokenMap.registerStringKey': [() => (TokenMap.prototype as any).registerStringKey, '739ac67e2c5f047c'],
  'TokenMap.registerNumberKey': [() => (TokenMap.prototype as any).registerNumberKey, '65e0db2105739434'],
};

const digest = (f: SourceOf) => createHash('sha256').update(f.toString()).digest('hex').slice(0, 16);

/** A stack with a provider, a bucket and an output referencing it. */
function bucketStack(app: App, id: string): { stack: TerraformStack; bucket: S3Bucket } {
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const bucket = new S3Bucket(stack, 'bucket', { bucket: `${id}-logs` });
  return { stack, bucket };
}

const root = tempDir();
/** A fresh output directory inside the suite's temporary directory. */
const outdirFor = () => fs.mkdtempSync(path.join(root, 'app-'));

/** What `f` returns, or the message it throws: stock and tuned must agree on both. */
function outcome(f: () => unknown): { value: unknown } | { error: string } {
  try {
    return { value: f() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

const synthOf = (outdir: string, id: string) => fs.readFileSync(path.join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8');

afterEach(() => tuneCdktf(false));

describe('GIVEN the cdktf the tuning was written against', () => {
  test('THEN cdktf is 0.21.0', () => {
    expect((require('cdktf/package.json') as { version: string }).version).toBe('0.21.0');
  });

  test.each(Object.entries(PINNED))('THEN %s is the source the tuning replaces', (name, [fn, pinned]) => {
    const actual = digest(fn());
    if (actual !== pinned) {
      throw new Error(
        `cdktf's ${name} changed (source digest ${actual}, pinned ${pinned}): re-check src/synth/cdktf-tuning.ts against it before re-pinning`,
      );
    }
  });
});

describe('GIVEN the tuning in place', () => {
  beforeEach(() => tuneCdktf(false));

  test('THEN tokens record no creation stack, and a token error says how to get it back', () => {
    const app = new App({ outdir: outdirFor(), skipValidation: true });
    const stack = new TerraformStack(app, 'one');
    new TerraformOutput(stack, 'bad', { value: Lazy.anyValue({ produce: () => () => 'a function cannot be resolved' }) });
    expect(() => app.synth()).toThrow(
      `Object creation stack:\n  at (creation stack traces are off: run again with ${STACK_TRACES_ENV}=1 to see them)`,
    );
  });

  test(`WHEN ${STACK_TRACES_ENV}=1 is in effect THEN the creation stack names the code that made the token`, () => {
    tuneCdktf(true);
    const app = new App({ outdir: outdirFor(), skipValidation: true });
    const stack = new TerraformStack(app, 'one');
    new TerraformOutput(stack, 'bad', { value: Lazy.anyValue({ produce: () => () => 'a function cannot be resolved' }) });
    const message = messageOf(() => app.synth());
    expect(message).toContain('Object creation stack:\n');
    expect(message).not.toContain('traces are off');
    expect(message).toMatch(/cdktf-tuning\.test\.ts/);
  });

  test('THEN a reference from one stack into another is refused, not rendered', () => {
    const app = new App({ outdir: outdirFor(), skipValidation: true });
    const { bucket } = bucketStack(app, 'origin');
    const { stack } = bucketStack(app, 'user');
    new TerraformOutput(stack, 'arn', { value: bucket.arn });
    expect(() => app.synth()).toThrow(TenantctlError);
    expect(messageOf(() => app.synth())).toContain('aws_s3_bucket.bucket.arn of stack origin is referenced from stack user');
  });

  /** The cdk.tf.json of a bucket stack that `decorate` adds to, synthesized tuned or stock. */
  const bucketJson = (stock: boolean, decorate: (stack: TerraformStack, bucket: S3Bucket) => void) => {
    tuneCdktf(stock);
    const outdir = outdirFor();
    const app = new App({ outdir, skipValidation: true });
    const { stack, bucket } = bucketStack(app, 'b');
    decorate(stack, bucket);
    app.synth();
    return synthOf(outdir, 'b');
  };

  test('THEN a stack-level override holding a token is still resolved, as stock cdktf does', () => {
    const override = (stack: TerraformStack, bucket: S3Bucket) => stack.addOverride('output.bucket_arn', { value: bucket.arn });
    const tuned = bucketJson(false, override);
    expect(JSON.parse(tuned).output.bucket_arn).toEqual({ value: '${aws_s3_bucket.bucket.arn}' });
    expect(tuned).toBe(bucketJson(true, override));
  });

  test('THEN synthesizing through the tuning writes what stock cdktf writes', () => {
    const output = (stack: TerraformStack, bucket: S3Bucket) =>
      new TerraformOutput(stack, 'name', { value: Lazy.stringValue({ produce: () => bucket.bucket }) });
    expect(bucketJson(false, output)).toBe(bucketJson(true, output));
  });

  test('THEN a stack whose elements add to the same blocks (providers, aliases, backend, outputs) is written as stock cdktf writes it', () => {
    const shared = (stack: TerraformStack, bucket: S3Bucket) => {
      const west = new AwsProvider(stack, 'aws-west', { alias: 'west', region: 'us-west-2', defaultTags: [{ tags: { a: 'b' } }] });
      new S3Bucket(stack, 'second', { bucket: 'second', provider: west, tags: { Name: bucket.bucket }, lifecycle: { preventDestroy: true } });
      new DataAwsCallerIdentity(stack, 'me', { provider: west });
      new LocalBackend(stack, { path: 'state.tfstate' });
      new TerraformOutput(stack, 'arns', { value: [bucket.arn, 'literal'] });
      new TerraformOutput(stack, 'empty', { value: {} });
    };
    const tuned = bucketJson(false, shared);
    expect(Object.keys(JSON.parse(tuned).provider.aws)).toHaveLength(2);
    expect(tuned).toBe(bucketJson(true, shared));
  });

  test('THEN an element whose fragment holds an object that is not plain (a Date) is written as stock cdktf writes it', () => {
    // cdktf's merge copies such an object into a plain one of its own keys; taken over as it is, it would be written otherwise.
    class Dated extends TerraformElement {
      toTerraform() {
        return { locals: { dated: { at: vm.runInThisContext('new Date(0)'), list: [vm.runInThisContext('new Date(0)')] } } };
      }
    }
    const dated = (stack: TerraformStack) => void new Dated(stack, 'dated');
    const tuned = bucketJson(false, dated);
    expect(JSON.parse(tuned).locals.dated).toEqual({ at: {}, list: ['1970-01-01T00:00:00.000Z'] });
    expect(tuned).toBe(bucketJson(true, dated));
  });

  describe('WHEN keys are turned to snake case (meta-arguments)', () => {
    const util = require('cdktf/lib/util') as { keysToSnakeCase: (object: unknown) => unknown };
    // One instance for both runs: a resolvable is taken over as it is, not converted.
    const lazy = Lazy.anyValue({ produce: () => ({ aB: 1 }) });
    const inputs: Record<string, () => unknown> = {
      'meta-arguments': () => ({
        dependsOn: ['a.b'],
        count: 1,
        provider: 'aws.west',
        lifecycle: { createBeforeDestroy: true, ignoreChanges: ['tags'] },
      }),
      'tags and environment, kept as they are': () => ({
        tags: { camelCase: 'x' },
        environment: { SOME_VAR: 'y' },
        nestedValue: { tags: { aB: 1 } },
      }),
      'lists of objects and values': () => [{ aB: 1 }, 'cD', 2, [{ eF: [{ gH: true }] }], undefined],
      'odd keys': () => ({ URLPath: 1, already_snake: 2, __x__: 3, 'a-b c': 4, '': 5, aB: 6, a_b: 7 }),
      'a resolvable': () => ({ keyName: lazy }),
      'a null inside a list (cdktf throws)': () => ({ list: [null] }),
      'a string': () => 'aB',
    };
    test.each(Object.keys(inputs))('THEN %s come out as cdktf makes them', (name) => {
      const stock = outcome(() => STOCK.keysToSnakeCase(inputs[name]()));
      const tuned = outcome(() => util.keysToSnakeCase(inputs[name]()));
      expect(util.keysToSnakeCase).not.toBe(STOCK.keysToSnakeCase);
      expect(tuned).toStrictEqual(stock);
      expect(JSON.stringify(tuned)).toBe(JSON.stringify(stock));
    });
  });

  test("THEN cdktf's own deepMerge is back in place after each stack, also after one that fails", () => {
    bucketJson(false, () => {});
    expect(require('cdktf/lib/util').deepMerge).toBe(STOCK.deepMerge);
    const app = new App({ outdir: outdirFor(), skipValidation: true });
    const stack = new TerraformStack(app, 'fails');
    new TerraformOutput(stack, 'bad', { value: Lazy.anyValue({ produce: () => () => 'a function cannot be resolved' }) });
    expect(() => app.synth()).toThrow();
    expect(require('cdktf/lib/util').deepMerge).toBe(STOCK.deepMerge);
  });

  describe('WHEN a value is resolved', () => {
    const tokensModule = require('cdktf/lib/_tokens') as { resolve: (scope: unknown, obj: unknown, preparing?: boolean) => unknown };
    const app = new App({ outdir: outdirFor(), skipValidation: true });
    const { stack, bucket } = bucketStack(app, 'values');
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const values: Record<string, () => unknown> = {
      'a manifest of plain values': () => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'x' }, annotations: undefined },
        data: { 'a.json': '{"k": "${literal}"}', empty: '' },
        list: [1, undefined, [true, false, null], { deep: { deeper: [0, -1, 1.5e300, -1.5e300] } }],
      }),
      'a sparse list': () => sparse,
      'a list of a subclass of Array': () => ({ list: Uint8Array.from([1]), sub: class extends Array {}.from([1, 2]) }),
      // As the libraries test/setup/shared-modules-runtime.js shares make them: plain ones are copied, a subclass is not.
      'values made in another realm': () => vm.runInNewContext('({ list: [1, [2], { a: [3] }], sub: class extends Array {}.from([4]) })'),
      'strings that look like encoded numbers': () => ['tenant-e-1', '1e5', '-e-', '2.5E+3', 'e', '9e'],
      'numbers at the edges': () => [Number.NaN, Infinity, -Infinity, -1e281, -1e279, Number.MAX_VALUE, -Number.MAX_VALUE],
      // Made where cdktf and the tuning run (test/setup/shared-modules-runtime.js), so that both see a Date.
      'a Date': () => ({ at: vm.runInThisContext('new Date(0)') }),
      'a reference': () => ({ bucket: bucket.bucket, nested: [{ arn: bucket.arn }] }),
      'a reference inside a string': () => ({ name: `${bucket.bucket}-copy` }),
      'a reference as a key': () => ({ [bucket.bucket]: 'v', plain: 'w' }),
      'a list token': () => ({ list: Token.asList(Lazy.anyValue({ produce: () => ['a', 'b'] })), mixed: ['x', Token.asString(['y'])] }),
      'a number token': () => ({
        n: Token.asNumber(Lazy.numberValue({ produce: () => 3 })),
        in: [1, Token.asNumber(Lazy.numberValue({ produce: () => 4 }))],
      }),
      'a number token inside a string': () => ({ s: `n=${Token.asNumber(Lazy.numberValue({ produce: () => 5 }))}` }),
      'a map token': () => ({ m: Token.asStringMap(Lazy.anyValue({ produce: () => ({ a: 'b' }) })) }),
      'a resolvable': () => ({ lazy: Lazy.anyValue({ produce: () => ({ inner: [bucket.id, undefined] }) }) }),
      'the string map placeholder': () => ({ s: Token.STRING_MAP_TOKEN_VALUE }),
      'the any map placeholder': () => [Token.ANY_MAP_TOKEN_VALUE],
      'the number map placeholder': () => ({ n: Token.NUMBER_MAP_TOKEN_VALUE }),
      'a function': () => ({ f: () => 1 }),
      'a construct': () => ({ c: bucket }),
    };
    test.each(Object.keys(values))('THEN %s resolves exactly as cdktf resolves it', (name) => {
      const stock = outcome(() => STOCK.resolve(stack, values[name]()));
      const tuned = outcome(() => tokensModule.resolve(stack, values[name]()));
      expect(tuned).toStrictEqual(stock);
      // Order of keys matters to the written JSON, and toEqual ignores it.
      expect(JSON.stringify(tuned)).toBe(JSON.stringify(stock));
    });
    test('THEN a subclass of Array keeps its class, as the resolver keeps it', () => {
      class Tags extends Array<string> {}
      const resolved = tokensModule.resolve(stack, { tags: Tags.from(['a', 'b']) }) as { tags: unknown };
      expect(resolved.tags).toBeInstanceOf(Tags);
      expect(resolved.tags).toEqual((STOCK.resolve(stack, { tags: Tags.from(['a', 'b']) }) as { tags: unknown }).tags);
    });
    test("THEN plain values made in another realm are copied without cdktf's resolver, as this realm's are", () => {
      const resolver = jest.spyOn(privateResolve, 'resolve');
      try {
        expect(tokensModule.resolve(stack, vm.runInNewContext('({ list: [1, [2, { a: [3] }]] })'))).toEqual({ list: [1, [2, { a: [3] }]] });
        expect(resolver).not.toHaveBeenCalled();
      } finally {
        resolver.mockRestore();
      }
    });
    test('THEN a cyclic value fails as cdktf fails it', () => {
      const cyclic: Record<string, unknown> = { name: 'loop' };
      cyclic.self = cyclic;
      expect(() => tokensModule.resolve(stack, cyclic)).toThrow(/circular/i);
    });
  });

  test('THEN the tokens made for a stack after a mark are released down to it', () => {
    const before = tokenMark();
    const app = new App({ outdir: outdirFor(), skipValidation: true });
    new TerraformOutput(bucketStack(app, 'counted').stack, 'arn', { value: Lazy.stringValue({ produce: () => 'x' }) });
    expect(tokenMark().strings).toBeGreaterThan(before.strings);
    releaseTokensSince(before);
    expect(tokenMark()).toEqual(before);
  });
});

describe('GIVEN the packages cdktf loads but tenantctl never calls (src/synth/deferred-packages.ts)', () => {
  const lib = path.join(path.dirname(require.resolve('cdktf/package.json')), 'lib');
  /** Every module under cdktf/lib that requires `name`, relative to it. */
  const requirers = (name: string) =>
    (fs.readdirSync(lib, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.js') && fs.readFileSync(path.join(lib, file), 'utf8').includes(`require("${name}")`))
      .map((file) => file.split(path.sep).join('/'));

  test.each(Object.entries(DEFERRED_PACKAGES))('THEN cdktf requires %s only in %s', (name, file) => {
    expect(requirers(name)).toEqual([file]);
  });

  test('THEN the CLI, from compiled JavaScript, synthesizes without loading them, and each stand-in acts as its package when used', () => {
    const probe = `
      const tuning = require('./dist/src/synth/cdktf-tuning.js');
      tuning.tuneCdktf();
      const deferred = require('./dist/src/synth/deferred-packages.js');
      const { App, TerraformStack, TerraformOutput } = require('cdktf');
      const app = new App({ outdir: require('fs').mkdtempSync(require('os').tmpdir() + '/deferred-'), skipValidation: true });
      new TerraformOutput(new TerraformStack(app, 'one'), 'x', { value: 'y' });
      app.synth();
      const loadedFrom = (name) => Object.keys(require.cache).filter((f) => f.includes('/node_modules/' + name + '/'));
      const before = { deferred: deferred.DEFERRED_HERE, archiver: loadedFrom('archiver'), semver: loadedFrom('semver'), lodash: loadedFrom('lodash') };
      const semver = require(deferred.deferredPackageFile('semver'));
      const archiver = require(deferred.deferredPackageFile('archiver'));
      const zip = archiver('zip');
      process.stdout.write(JSON.stringify({
        before,
        satisfies: semver.satisfies('1.9.0', '>=1.2.0 <2'),
        zip: typeof zip.pipe === 'function' && typeof zip.finalize === 'function',
        realInCache: require.cache[deferred.deferredPackageFile('semver')].exports.satisfies === semver.satisfies,
      }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: repoRoot, encoding: 'utf8' }));
    const archiverEntry = path.relative(path.join(repoRoot, 'node_modules'), deferredPackageFile('archiver'));
    expect(out.before.deferred).toEqual(['archiver', 'semver']);
    // Only the stand-in's cache entry: none of the package's own files, nor lodash (archiver's).
    expect(out.before.archiver.map((f: string) => path.relative(path.join(repoRoot, 'node_modules'), f))).toEqual([archiverEntry]);
    expect(out.before.semver).toHaveLength(1);
    expect(out.before.lodash).toEqual([]);
    expect(out).toMatchObject({ satisfies: true, zip: true, realInCache: true });
  });
});
