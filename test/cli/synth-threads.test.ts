import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadProject } from '../../src/project/project';
import { HEAP_GROWING_FLAG, synthesize, synthesizeInWorkers } from '../../src/synth/synthesize';
import { copyFixture } from '../setup/fixture-projects';
import { tempDir } from '../util';
import { repoRoot, snapshotTree, tenantctl } from './helpers';

const TENANTS = 120;

/**
 * The compiled CLI splits a large synth across worker threads (one per CPU, at least 60 stacks
 * each); in-process under jest (TypeScript) the same synthesize() runs on one thread. Both must
 * write the same bytes.
 */
describe(`GIVEN a project with ${TENANTS} tenants`, () => {
  const dir = tempDir();
  beforeAll(() => {
    copyFixture('configOnly', dir);
    fs.mkdirSync(path.join(dir, 'tenants'), { recursive: true });
    const tiers = ['starter', 'standard', 'enterprise'];
    for (let i = 0; i < TENANTS; i++) {
      fs.writeFileSync(path.join(dir, 'tenants', `t${i}.json`), JSON.stringify({ version: 1, id: `t${i}`, tier: tiers[i % 3] }));
    }
  });

  test('THEN this machine has the CPUs for threads (the case below would otherwise not prove them)', () => {
    expect(os.availableParallelism()).toBeGreaterThanOrEqual(2);
  });

  test('THEN the V8 of this Node still has the heap growth flag the threads are started with (V8 ignores an unknown one silently)', () => {
    const [name] = HEAP_GROWING_FLAG.split('=');
    expect(execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' })).toContain(`  ${name} (`);
  });

  test('WHEN the CLI synthesizes on several threads THEN it writes exactly what a single-threaded synth writes', () => {
    const res = tenantctl(['synth', '--dir', dir]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/ \(on [2-9] threads\)\n$/);
    const threaded = snapshotTree(path.join(dir, 'cdktf.out'));
    expect(Object.keys(threaded).filter((f) => f.endsWith('cdk.tf.json'))).toHaveLength(TENANTS + 2);

    const single = path.join(dir, 'single-out');
    synthesize(loadProject(dir), { outdir: single });
    expect(threaded).toEqual(snapshotTree(single));
  });

  interface Reported {
    readonly name: string;
    /** Under the output's staging, not where it is installed. */
    readonly staged: boolean;
    readonly text: string;
  }
  /** Every stack reported once, from staging, with the bytes installed for it. */
  const expectReportedAsInstalled = (reported: readonly Reported[], outdir: string) => {
    const installed = snapshotTree(path.join(outdir, 'stacks'));
    const stacks = Object.keys(installed).filter((f) => f.endsWith(`${path.sep}cdk.tf.json`));
    expect(reported.map((r) => r.name).sort()).toEqual(stacks.map((f) => f.split(path.sep)[0]).sort());
    for (const r of reported) {
      expect(r.staged).toBe(true);
      expect(r.text).toBe(installed[path.join(r.name, 'cdk.tf.json')]);
    }
  };
  const onStackOf = (reported: Reported[], outdir: string) => (name: string, file: string) =>
    reported.push({ name, staged: !file.startsWith(path.join(outdir, 'stacks')), text: fs.readFileSync(file, 'utf8') });

  /** Runs `body` in a fresh Node on the compiled code (worker threads need it), with fs, path, loadProject and the synthesize module in scope; returns what it prints as JSON. */
  const compiled = (body: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '-e',
          `const fs = require('fs');
           const path = require('path');
           const { loadProject } = require('./dist/src/project/project.js');
           const synth = require('./dist/src/synth/synthesize.js');
           const print = (value) => process.stdout.write(JSON.stringify(value));
           ${body}`,
        ],
        { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      ),
    );

  test('WHEN the compiled synthesis reports each stack with its file THEN every stack comes once, readable then, with the bytes that are installed', () => {
    const outdir = path.join(dir, 'reported-out');
    const out = compiled(`
      const outdir = ${JSON.stringify(outdir)};
      const reported = [];
      const onStack = (name, file) =>
        reported.push({ name, staged: !file.startsWith(path.join(outdir, 'stacks')), text: fs.readFileSync(file, 'utf8') });
      synth.synthesizeInWorkers(loadProject(${JSON.stringify(dir)}), { outdir }, { onStack })
        .then((result) => print({ threads: result.threads, reported }));`);
    expect(out.threads).toBeGreaterThanOrEqual(2);
    expectReportedAsInstalled(out.reported, outdir);
  });

  test('WHEN two projects are synthesized on one set of threads (both sides of changed) THEN each stack is reported once, from its own side, with its bytes', () => {
    // The other side: 60 tenants fewer and another environment, so no stack has the same bytes on both.
    const other = path.join(dir, 'other-side');
    copyFixture('configOnly', other);
    fs.mkdirSync(path.join(other, 'tenants'), { recursive: true });
    for (let i = 0; i < TENANTS - 60; i++) fs.copyFileSync(path.join(dir, 'tenants', `t${i}.json`), path.join(other, 'tenants', `t${i}.json`));
    const platformFile = path.join(other, 'platform.json');
    fs.writeFileSync(platformFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(platformFile, 'utf8')), environment: 'staging' }));
    const outdirs = [path.join(dir, 'each-a'), path.join(dir, 'each-b')];
    const out = compiled(`
      const outdirs = ${JSON.stringify(outdirs)};
      const reported = outdirs.map(() => []);
      const onStack = (name, file) => {
        const side = outdirs.findIndex((o) => file.startsWith(o + path.sep));
        reported[side].push({ name, staged: !file.startsWith(path.join(outdirs[side], 'stacks')), text: fs.readFileSync(file, 'utf8') });
      };
      const jobs = [${JSON.stringify(dir)}, ${JSON.stringify(other)}].map((d, i) => ({ project: loadProject(d), options: { outdir: outdirs[i] } }));
      synth.synthesizeEachInWorkers(jobs, { onStack }).then((results) => print({ threads: results.map((r) => r.threads), reported }));`);
    expect(out.threads[0]).toBeGreaterThanOrEqual(2);
    expect(out.reported[0].length - out.reported[1].length).toBe(60);
    outdirs.forEach((outdir, side) => expectReportedAsInstalled(out.reported[side], outdir));
  });

  test('WHEN the callback given each stack throws on a worker thread THEN the synthesis fails with its error and installs nothing (the process goes on)', () => {
    const outdir = path.join(dir, 'callback-throws');
    const out = compiled(`
      const outdir = ${JSON.stringify(outdir)};
      let calls = 0;
      const onStack = () => {
        if (++calls === 3) throw new Error('the callback broke');
      };
      synth.synthesizeInWorkers(loadProject(${JSON.stringify(dir)}), { outdir }, { onStack }).then(
        () => print({ settled: 'resolved' }),
        (err) => print({ settled: 'rejected', message: err.message, left: fs.readdirSync(outdir) }),
      );`);
    expect(out).toEqual({ settled: 'rejected', message: 'the callback broke', left: [] });
  });

  test('WHEN the synthesis runs in this thread (from TypeScript) THEN it reports each stack the same way', async () => {
    const outdir = path.join(dir, 'reported-here');
    const reported: Reported[] = [];
    const result = await synthesizeInWorkers(loadProject(dir), { outdir }, { onStack: onStackOf(reported, outdir) });
    expect(result.threads).toBe(1);
    expectReportedAsInstalled(reported, outdir);
  });
});
