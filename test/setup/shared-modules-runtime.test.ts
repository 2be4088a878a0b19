import * as fs from 'fs';
import * as Module from 'module';
import * as os from 'os';
import * as path from 'path';

/**
 * test/setup/shared-modules-runtime.js: third-party packages, and the tuning of cdktf with what it
 * imports, come from the worker's own require cache (one copy per worker, made in the worker's
 * realm); the rest of tenantctl from this file's sandbox; a mocked package from jest's mock.
 */
jest.mock('leven', () => () => 42);

/** Node's own cache of the worker process, which jest's sandbox never fills. */
const workerCache = (Module as unknown as { _cache: Record<string, { exports: unknown } | undefined> })._cache;
const firstFunction = (exports: object) => Object.values(exports).find((v) => typeof v === 'function');
/** cdktf's token registry as this file found it (test/setup/tune-cdktf.ts empties it per file). */
const tokenMap = require('cdktf/lib/tokens/private/token-map').TokenMap.instance();
const tokensAtStart = [tokenMap.stringTokenMap.size, tokenMap.numberTokenMap.size, tokenMap.tokenCounter];

describe('GIVEN the shared-modules runtime', () => {
  test.each(['zod', 'yaml', 'kubernetes-models/v1/ConfigMap', 'cdktf', '@cdktf/provider-aws/lib/s3-bucket', 'constructs'])(
    'THEN %s is the copy in the worker process, made in its realm',
    (name) => {
      const exports = require(name);
      expect(workerCache[require.resolve(name)]?.exports).toBe(exports);
      expect(firstFunction(exports)).not.toBeInstanceOf(Function);
    },
  );

  test.each([
    '../../src/synth/cdktf-tuning',
    '../../src/synth/stable-json-install',
    '../../src/synth/stable-json',
    '../../src/synth/deferred-packages',
    '../../src/model/errors',
  ])('THEN %s (the tuning of cdktf, or what it imports) is shared with cdktf', (name) => {
    expect(workerCache[require.resolve(name)]?.exports).toBe(require(name));
  });

  test('THEN the tuning is in place in the shared cdktf, with the stand-in JSON writer', () => {
    const { STOCK } = require('../../src/synth/cdktf-tuning');
    expect(require('cdktf/lib/_tokens').resolve).not.toBe(STOCK.resolve);
    expect(require('../../src/synth/stable-json-install').STABLE_JSON_INSTALLED).toBe(true);
  });

  test.each(['../../src/synth/app', '../../stacks/tenant-stack', '../../src/model/project'])(
    'THEN %s is loaded in this sandbox, as jest loads it',
    (name) => {
      expect(require(name)).toBeDefined();
      expect(workerCache[require.resolve(name)]).toBeUndefined();
    },
  );

  test("THEN the file starts with an empty token registry, not the earlier files' tokens", () => {
    expect(tokensAtStart).toEqual([0, 0, 0]);
  });

  test('THEN a package a suite mocks is the mock', () => {
    expect(require('leven')('a', 'b')).toBe(42);
  });

  test('THEN process.chdir in a test file moves path.resolve with it, cdktf (and its graceful-fs) loaded', () => {
    require('cdktf');
    const here = process.cwd();
    const there = fs.realpathSync(os.tmpdir());
    try {
      process.chdir(there);
      expect(path.resolve('.')).toBe(there);
    } finally {
      process.chdir(here);
    }
    expect(path.resolve('.')).toBe(here);
  });
});
