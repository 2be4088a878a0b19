import * as fs from 'fs';
import * as path from 'path';
import { loadProject } from '../../src/project/project';
import { synthesizeApp } from '../../src/synth/app';
import { STACK_TRACES_ENV, tuneCdktf } from '../../src/synth/cdktf-tuning';
import { filesUnder } from '../../src/synth/inputs';
import { tempDir } from '../util';
import { FIXTURES, writeFixture } from './fixture-projects';

/**
 * The tuned synthesis (cdktf-tuning.ts, one stack at a time) writes exactly what cdktf's stock
 * App.synth() writes, every file of cdktf.out, for every configuration of the fixture projects.
 * The default project gets generated tenants too, so that many stacks are built and released in turn.
 */
const GENERATED: Record<string, number> = { default: 40 };

const root = tempDir();

function synthOnce(dir: string, outdir: string, stock: boolean): void {
  if (stock) process.env[STACK_TRACES_ENV] = '1';
  try {
    synthesizeApp(loadProject(dir), { outdir });
  } finally {
    delete process.env[STACK_TRACES_ENV];
    tuneCdktf();
  }
}

describe.each(Object.keys(FIXTURES))('GIVEN the %s fixture project', (name) => {
  const dir = writeFixture(path.join(root, name), FIXTURES[name], GENERATED[name] ?? 0);
  const stockOut = path.join(root, `${name}-stock`);
  const tunedOut = path.join(root, `${name}-tuned`);
  synthOnce(dir, stockOut, true);
  synthOnce(dir, tunedOut, false);
  const files = filesUnder(stockOut);

  test('THEN both syntheses write the same files, a manifest and every stack', () => {
    expect(filesUnder(tunedOut)).toEqual(files);
    expect(files).toContain('manifest.json');
    const stacks = Object.keys(JSON.parse(fs.readFileSync(path.join(stockOut, 'manifest.json'), 'utf8')).stacks);
    expect(stacks.length).toBe(FIXTURES[name].tenants.length + (GENERATED[name] ?? 0) + (FIXTURES[name].platform.terraformCloud ? 6 : 2));
  });

  test('THEN every file is byte for byte what stock cdktf writes', () => {
    const differing = files.filter((f) => !fs.readFileSync(path.join(tunedOut, f)).equals(fs.readFileSync(path.join(stockOut, f))));
    expect(differing).toEqual([]);
  });
});
