import * as Module from 'module';

/**
 * test/setup/shared-modules-runtime.js: third-party packages come from the worker's own require
 * cache (one copy per worker, made in the worker's realm); tenantctl's modules, cdktf and the
 * providers from this file's sandbox; a mocked package from jest's mock.
 */
jest.mock('leven', () => () => 42);

/** Node's own cache of the worker process, which jest's sandbox never fills. */
const workerCache = (Module as unknown as { _cache: Record<string, { exports: unknown } | undefined> })._cache;

describe('GIVEN the shared-modules runtime', () => {
  test.each(['zod', 'yaml', 'kubernetes-models/v1/ConfigMap'])('THEN %s is the copy in the worker process, made in its realm', (name) => {
    const exports = require(name);
    expect(workerCache[require.resolve(name)]?.exports).toBe(exports);
    expect(Object.values(exports).find((v) => typeof v === 'function')).not.toBeInstanceOf(Function);
  });

  test.each(['cdktf', '@cdktf/provider-aws/lib/s3-bucket', 'constructs', '../../src/model/errors'])(
    'THEN %s is loaded in this sandbox, as jest loads it',
    (name) => {
      expect(workerCache[require.resolve(name)]).toBeUndefined();
      expect(Object.values(require(name)).find((v) => typeof v === 'function')).toBeInstanceOf(Function);
    },
  );

  test('THEN a package a suite mocks is the mock', () => {
    expect(require('leven')('a', 'b')).toBe(42);
  });
});
