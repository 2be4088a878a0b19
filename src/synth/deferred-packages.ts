/**
 * Packages cdktf loads with its first module although tenantctl never calls them, loaded on first
 * use instead: archiver (cdktf zips assets with it, and only in a child process of its own, which
 * loads it itself) and semver (the binary version check of cdktf's validations, which tenantctl
 * skips). With their dependencies they are about 240 files and 90 ms of every thread that loads
 * cdktf. Imported before any cdktf module (the first import of cdktf-tuning.ts): each package's
 * module cache entry gets a stand-in that loads the package the first time it is called or read,
 * so every later `require` of it from cdktf gets the stand-in. test/synth/cdktf-tuning.test.ts
 * pins where cdktf requires them and that the stand-ins still work.
 */
import { Module } from 'module';
import * as path from 'path';

const cdktfLib = path.join(path.dirname(require.resolve('cdktf/package.json')), 'lib');

/** Each deferred package, by the cdktf module (under cdktf/lib) that requires it. */
export const DEFERRED_PACKAGES: Readonly<Record<string, string>> = {
  archiver: 'private/fs.js',
  semver: 'validations/validate-binary-version.js',
};

/** The file cdktf's module resolves a package to. */
export function deferredPackageFile(name: string): string {
  return require.resolve(name, { paths: [path.dirname(path.join(cdktfLib, DEFERRED_PACKAGES[name]))] });
}

/** A stand-in for the package at `file`: called or read, it loads the package and acts as it. */
function standIn(file: string): unknown {
  let loaded: object | undefined;
  const load = (): object => {
    if (!loaded) {
      // The real package takes the stand-in's place in the cache, so it loads once.
      delete require.cache[file];
      loaded = require(file) as object;
    }
    return loaded;
  };
  return new Proxy(() => undefined, {
    apply: (_target, self, args) => Reflect.apply(load() as (...a: unknown[]) => unknown, self, args),
    get: (_target, key) => Reflect.get(load(), key),
    has: (_target, key) => Reflect.has(load(), key),
  });
}

/** Puts the stand-in of a package in the module cache; false when the package had loaded already (nothing to save). */
function defer(name: string): boolean {
  const file = deferredPackageFile(name);
  if (require.cache[file]) return false;
  const entry = new Module(file);
  entry.filename = file;
  entry.loaded = true;
  entry.exports = standIn(file);
  require.cache[file] = entry;
  return true;
}

/** The packages deferred in this process. */
export const DEFERRED_HERE: readonly string[] = Object.keys(DEFERRED_PACKAGES).filter(defer);
