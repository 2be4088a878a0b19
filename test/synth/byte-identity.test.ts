import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { filesUnder } from '../../src/synth/inputs';
import { repoRoot } from '../cli/helpers';
import { tempDir } from '../util';
import { FIXTURES, writeFixture } from './fixture-projects';
import type { SynthPair } from './stock-and-tuned';

/**
 * The tuned synthesis (cdktf-tuning.ts, one stack at a time) writes exactly what cdktf's stock
 * App.synth() writes, every file of cdktf.out, for every configuration of the fixture projects.
 * The default project gets generated tenants too, so that many stacks are built and released in turn.
 * Both run in one plain Node process, from the compiled dist/ that the CLI runs (stock-and-tuned.ts;
 * the global setup refuses a dist/ older than the sources).
 */
const GENERATED: Record<string, number> = { default: 40 };
const ENGINE = path.join(repoRoot, 'dist/test/synth/stock-and-tuned.js');

const root = tempDir();
const pairs: Record<string, SynthPair> = Object.fromEntries(
  Object.keys(FIXTURES).map((name) => [
    name,
    {
      project: writeFixture(path.join(root, name), FIXTURES[name], GENERATED[name] ?? 0),
      stockOut: path.join(root, `${name}-stock`),
      tunedOut: path.join(root, `${name}-tuned`),
    },
  ]),
);

beforeAll(() => {
  const res = spawnSync(process.execPath, [ENGINE, JSON.stringify(Object.values(pairs))], { encoding: 'utf8', timeout: 300_000 });
  expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
});

describe.each(Object.keys(FIXTURES))('GIVEN the %s fixture project', (name) => {
  const { stockOut, tunedOut } = pairs[name];

  test('THEN both syntheses write the same files, a manifest and every stack', () => {
    const files = filesUnder(stockOut);
    expect(filesUnder(tunedOut)).toEqual(files);
    expect(files).toContain('manifest.json');
    const stacks = Object.keys(JSON.parse(fs.readFileSync(path.join(stockOut, 'manifest.json'), 'utf8')).stacks);
    expect(stacks.length).toBe(FIXTURES[name].tenants.length + (GENERATED[name] ?? 0) + (FIXTURES[name].platform.terraformCloud ? 6 : 2));
  });

  test('THEN every file is byte for byte what stock cdktf writes', () => {
    const files = filesUnder(stockOut);
    const differing = files.filter((f) => !fs.readFileSync(path.join(tunedOut, f)).equals(fs.readFileSync(path.join(stockOut, f))));
    expect(differing).toEqual([]);
  });
});
