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

  test('WHEN the compiled synthesis reports each stack with its file THEN every stack comes once, readable then, with the bytes that are installed', () => {
    const outdir = path.join(dir, 'reported-out');
    const probe = `
      const fs = require('fs');
      const path = require('path');
      const { loadProject } = require('./dist/src/project/project.js');
      const { synthesizeInWorkers } = require('./dist/src/synth/synthesize.js');
      const reported = [];
      const outdir = ${JSON.stringify(outdir)};
      const onStack = (name, file) =>
        reported.push({ name, staged: !file.startsWith(path.join(outdir, 'stacks')), text: fs.readFileSync(file, 'utf8') });
      synthesizeInWorkers(loadProject(${JSON.stringify(dir)}), { outdir }, { onStack })
        .then((result) => process.stdout.write(JSON.stringify({ threads: result.threads, reported })));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
    expect(out.threads).toBeGreaterThanOrEqual(2);
    expectReportedAsInstalled(out.reported, outdir);
  });

  test('WHEN the synthesis runs in this thread (from TypeScript) THEN it reports each stack the same way', async () => {
    const outdir = path.join(dir, 'reported-here');
    const reported: Reported[] = [];
    const result = await synthesizeInWorkers(loadProject(dir), { outdir }, { onStack: onStackOf(reported, outdir) });
    expect(result.threads).toBe(1);
    expectReportedAsInstalled(reported, outdir);
  });
});
