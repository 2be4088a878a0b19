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
 * What a test must know about a shared module:
 * - It runs in the worker's own realm: its arrays, objects, Dates and errors have that realm's
 *   prototypes. Compare them by value (`toEqual`), not by constructor (`toStrictEqual`,
 *   `toBeInstanceOf(Error)`); a value that must be "cdktf's own" is made with `vm.runInThisContext`.
 * - It reads the worker's process.env, not the test file's copy: pass an environment explicitly
 *   (src/synth/app.ts passes its own to the tuning).
 * - Its state lives as long as the worker: test/setup/tune-cdktf.ts re-tunes cdktf and empties its
 *   token registry at the start of every file. jest.resetModules and jest.isolateModules do not
 *   reach it, coverage does not instrument the shared sources, and a jest.mock of a package is not
 *   seen by the shared packages that require it.
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
  [
    'src/synth/cdktf-tuning.ts',
    'src/synth/stable-json-install.ts',
    'src/synth/stable-json.ts',
    'src/synth/deferred-packages.ts',
    'src/model/errors.ts',
  ].map((f) => path.join(root, f)),
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
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: COMPILER_OPTIONS, fileName: filename });
  // A shared source importing one that is not would load raw TypeScript as JavaScript.
  for (const [, relative] of outputText.matchAll(/require\("(\.\.?\/[^"]+)"\)/g)) {
    const imported = require.resolve(path.resolve(path.dirname(filename), relative));
    if (!SHARED_SOURCES.has(imported))
      throw new Error(
        `${path.relative(root, filename)} imports ${path.relative(root, imported)}: add it to SHARED_SOURCES in ${path.relative(root, __filename)}`,
      );
  }
  module._compile(outputText, filename);
};

/**
 * Packages that replace process.cwd and process.chdir when they load (graceful-fs does, with a
 * caching pair) would leave a test file's copy of `process` with the old chdir, which no longer
 * clears the cache path.resolve reads: after a chdir in the test, paths would resolve against the
 * old directory. The file's copy gets the replacements too.
 */
const PROCESS_DIRECTORY = ['cwd', 'chdir'];

class SharedModulesRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    // A private method of jest-runtime 29 (package.json pins jest): fail at once if it moved.
    if (typeof this._resolveCjsModule !== 'function' || !this._environment?.global)
      throw new Error('jest-runtime has no _resolveCjsModule or _environment: update test/setup/shared-modules-runtime.js');
  }

  requireModule(from, moduleName, options, isRequireActual) {
    if (moduleName && !options?.isInternalModule && !this._resolver.isCoreModule(moduleName) && !this._resolver.getMockModule(from, moduleName)) {
      const file = this._resolveCjsModule(from, moduleName);
      if (INSTALLED.test(file) || SHARED_SOURCES.has(file)) {
        const exports = require(file);
        const sandboxProcess = this._environment.global.process;
        for (const key of PROCESS_DIRECTORY) if (sandboxProcess[key] !== process[key]) sandboxProcess[key] = process[key];
        return exports;
      }
    }
    return super.requireModule(from, moduleName, options, isRequireActual);
  }
}

module.exports = SharedModulesRuntime;
