import * as fs from 'fs';
import * as path from 'path';
import { loadProject } from '../../src/project/project';
import { stackNames, synthesizeApp } from '../../src/synth/app';
import { tempDir } from '../util';
import { FIXTURES, writeFixture } from './fixture-projects';

/**
 * Worker threads share a synthesis out by claiming stacks (src/synth/synth-worker.ts): each
 * builds a stack only when its claim succeeds. Here two "threads" take turns on one set of flags,
 * as the workers do, and between them build every stack exactly once.
 */
const root = tempDir();
const dir = writeFixture(path.join(root, 'project'), FIXTURES['terraform-cloud']);
const project = loadProject(dir);
const all = stackNames(project);

const manifestStacks = (outdir: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')).stacks);

describe('GIVEN one claim flag per stack, shared by two threads', () => {
  const flags = new Int32Array(new SharedArrayBuffer(4 * all.length));
  const claimFor = (thread: number, built: string[]) => (name: string) => {
    // The first thread takes what it sees until it has three stacks; the second all the rest.
    if (thread === 0 && built.length >= 3) return false;
    const won = Atomics.compareExchange(flags, all.indexOf(name), 0, 1) === 0;
    if (won) built.push(name);
    return won;
  };
  const built: [string[], string[]] = [[], []];
  const outdirs = [path.join(root, 'part-0'), path.join(root, 'part-1')];
  for (const thread of [0, 1]) {
    synthesizeApp(project, { outdir: outdirs[thread], claim: claimFor(thread, built[thread]), onStack: () => {} });
  }

  test('THEN every stack is built by exactly one thread, each into its own part', () => {
    expect(built[0]).toEqual(all.slice(0, 3));
    expect(built[0].length + built[1].length).toBe(all.length);
    expect([...built[1]].sort()).toEqual(all.slice(3).sort());
    for (const thread of [0, 1]) {
      expect(manifestStacks(outdirs[thread]).sort()).toEqual([...built[thread]].sort());
      expect(fs.readdirSync(path.join(outdirs[thread], 'stacks')).sort()).toEqual([...built[thread]].sort());
    }
  });

  test('WHEN a thread claims none of a project stacks THEN it writes nothing for that project', () => {
    const outdir = path.join(root, 'none');
    synthesizeApp(project, { outdir, claim: () => false });
    expect(fs.existsSync(path.join(outdir, 'manifest.json'))).toBe(false);
    expect(fs.readdirSync(path.join(outdir, 'stacks'))).toEqual([]);
  });
});
