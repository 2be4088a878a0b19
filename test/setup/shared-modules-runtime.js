/**
 * jest's module loader, except that third-party packages load once per worker process, with
 * Node's own require, instead of once per test file. Suites spent about a quarter of their CPU
 * evaluating the same libraries again (cdktf and the providers, kubernetes-models' schemas, zod,
 * yaml, typescript, commander).
 *
 * cdktf comes with the one part of tenantctl that changes it: src/synth/cdktf-tuning.ts and the
 * modules it imports are shared too, compiled from their TypeScript on first use, so that cdktf
 * is tuned once per worker, in its own realm, and the stock functions the tuning keeps are cdktf's
 * own (a tuning loaded per file would keep the previous file's tuned functions as "stock").
 *
 * Kept in each test file's sandbox, as jest loads them:
 * - the rest of tenantctl (src, stacks, bin, test), so every suite starts from fresh state;
 * - modules a suite mocks, with jest.mock or a manual mock under test/__mocks__ (jest's registry has them).
 *
 * A shared module runs in the worker's own realm: its arrays and objects have that realm's
 * prototypes, so a test compares them by value (`toEqual`), not by constructor (`toStrictEqual`).
 * jest.config.js names this file as `runtime` (jest 29 loads it with Node's require, hence plain JS).
 */
const fs = require('fs');
const path = require('path');
const ts = require('typescript');
const { default: Runtime } = require('jest-runtime');

const root = path.resolve(__dirname, '../..');
/** A file of an installed package. */
const INSTALLED = /[\\/]node_modules[\\/]/;
/** The tuning of cdktf and everything it imports from tenantctl. */
const SHARED_SOURCES = new Set(
  ['src/synth/cdktf-tuning.ts', 'src/synth/stable-json-install.ts', 'src/synth/stable-json.ts', 'src/model/errors.ts'].map((f) => path.join(root, f)),
);
const COMPILER_OPTIONS = ts.getParsedCommandLineOfConfigFile(
  path.join(root, 'tsconfig.json'),
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
).options;

/** How Node's require loads a shared source; any other .ts file (jest's global setup, say) as before. */
const otherTypeScript = require.extensions['.ts'] ?? require.extensions['.js'];
require.extensions['.ts'] = (module, filename) => {
  if (!SHARED_SOURCES.has(filename)) return otherTypeScript(module, filename);
  const compiled = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: COMPILER_OPTIONS, fileName: filename });
  module._compile(compiled.outputText, filename);
};

// graceful-fs replaces process.cwd and process.chdir with a caching pair when it loads. Loaded
// natively from inside a test file, cdktf's copy would do so after jest gave the file its copy of
// `process`, whose chdir would then leave the cache (and so path.resolve) at the old directory.
// This module loads before any sandbox exists, so each sandbox copies the replaced pair.
require(require.resolve('graceful-fs', { paths: [path.dirname(require.resolve('cdktf/package.json'))] }));

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
      if (INSTALLED.test(file) || SHARED_SOURCES.has(file)) return require(file);
    }
    return super.requireModule(from, moduleName, options, isRequireActual);
  }
}

module.exports = SharedModulesRuntime;
