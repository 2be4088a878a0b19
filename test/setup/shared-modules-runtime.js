/**
 * jest's module loader, except that third-party packages load once per worker process, with
 * Node's own require, instead of once per test file. Suites spent about a sixth of their CPU
 * evaluating the same libraries again (kubernetes-models' schemas, zod, yaml, typescript, commander).
 *
 * Kept in each test file's sandbox, as jest loads them:
 * - tenantctl's own modules (src, stacks, bin, test), so every suite starts from fresh state;
 * - cdktf, constructs and the @cdktf providers: src/synth/cdktf-tuning.ts patches cdktf per
 *   sandbox and some suites switch it back to stock, which must never leak into the next file;
 * - modules a suite mocks, with jest.mock or a manual mock under test/__mocks__ (jest's registry has them).
 *
 * A shared package runs in the worker's own realm: its arrays and objects have that realm's
 * prototypes, so a test compares them by value (`toEqual`), not by constructor (`toStrictEqual`).
 * jest.config.js names this file as `runtime` (jest 29 loads it with Node's require, hence plain JS).
 */
const { default: Runtime } = require('jest-runtime');

/** A file of an installed package. */
const INSTALLED = /[\\/]node_modules[\\/]/;
/** Packages that stay in the sandbox (see above). */
const SANDBOXED = /[\\/]node_modules[\\/](cdktf|constructs|@cdktf[\\/][^\\/]+)[\\/]/;

class SharedModulesRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    // A private method of jest-runtime 29 (package.json pins jest): fail at once if it moved.
    if (typeof this._resolveCjsModule !== 'function')
      throw new Error('jest-runtime has no _resolveCjsModule: update test/setup/shared-modules-runtime.js');
  }

  requireModule(from, moduleName, options, isRequireActual) {
    if (moduleName && !options?.isInternalModule && !this._resolver.isCoreModule(moduleName) && !this._resolver.getMockModule(from, moduleName)) {
      const file = this._resolveCjsModule(from, moduleName);
      if (INSTALLED.test(file) && !SANDBOXED.test(file)) return require(file);
    }
    return super.requireModule(from, moduleName, options, isRequireActual);
  }
}

module.exports = SharedModulesRuntime;
