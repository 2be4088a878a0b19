/**
 * Puts stable-json.ts in place of json-stable-stringify for cdktf: imported before any cdktf module
 * (first import of cdktf-tuning.ts), because cdktf's synthesizer and manifest bind the function when
 * they load. The module cache entry of cdktf's copy is given the stand-in as its exports, so every
 * later `require('json-stable-stringify')` from cdktf gets it.
 */
import * as path from 'path';
import { standIn, type StableStringify } from './stable-json';

const cdktfLib = path.join(path.dirname(require.resolve('cdktf/package.json')), 'lib');
/** cdktf's copy of json-stable-stringify, as its synthesizer resolves it. */
export const CDKTF_STABLE_STRINGIFY = require.resolve('json-stable-stringify', { paths: [path.join(cdktfLib, 'synthesize')] });
/** The modules that bind it when they load. */
const BINDERS = ['synthesize/synthesizer.js', 'manifest.js'].map((file) => path.join(cdktfLib, file));

/** json-stable-stringify itself, for the stock behaviour and the tests. */
export const ORIGINAL_STABLE_STRINGIFY = require(CDKTF_STABLE_STRINGIFY) as StableStringify;

let original = false;
/** Makes the stand-in defer to the original (cdktf's stock behaviour, set by tuneCdktf). */
export function useOriginalStableJson(yes: boolean): void {
  original = yes;
}

/** False when a cdktf module that binds the function was loaded before this one (then cdktf writes with the original: same bytes, slower). */
export const STABLE_JSON_INSTALLED = !BINDERS.some((file) => require.cache[file]);
require.cache[CDKTF_STABLE_STRINGIFY]!.exports = standIn(ORIGINAL_STABLE_STRINGIFY, () => original);
