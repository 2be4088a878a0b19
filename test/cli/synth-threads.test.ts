import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadProject } from '../../src/project/project';
import { HEAP_GROWING_FLAG, synthesize } from '../../src/synth/synthesize';
import { copyFixture } from '../setup/fixture-projects';
import { tempDir } from '../util';
import { snapshotTree, tenantctl } from './helpers';

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
});
