import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cli } from '../cli/helpers';
import { tempDir } from '../util';
import { exampleCatalog } from './fixtures';

const WAVES = [{ name: 'canary' }, { name: 'early', tiers: ['starter'] }, { name: 'general', tiers: ['standard', 'enterprise'] }];

describe('GIVEN a project with the example catalog, three waves and a tenant in each', () => {
  const dir = tempDir();
  const platformFile = path.join(dir, 'platform.json');
  const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
  const task = () => read(platformFile).services.find((s: any) => s.name === 'task');
  const stack = (id: string) => fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', `tenant-${id}`, 'cdk.tf.json'), 'utf8');
  const taskVersion = (id: string) =>
    Object.values<any>(JSON.parse(stack(id)).resource.kubernetes_manifest).find((m) => m.manifest.metadata.name === `tenant-${id}--task`).manifest
      .metadata.labels['app.kubernetes.io/version'];

  beforeAll(async () => {
    await cli(['init', 'platform', '--yes', '--account-id', '111122223333', '--no-synth', '--dir', dir]);
    fs.writeFileSync(platformFile, JSON.stringify({ ...read(platformFile), ...exampleCatalog, waves: WAVES }, null, 2));
    await cli(['tenant', 'add', 'pilot', '--tier', 'standard', '--yes', '--no-synth', '--dir', dir]);
    const pilotFile = path.join(dir, 'tenants', 'pilot.json');
    fs.writeFileSync(pilotFile, JSON.stringify({ ...read(pilotFile), wave: 'canary' }, null, 2));
    await cli(['tenant', 'add', 'small', '--tier', 'starter', '--yes', '--no-synth', '--dir', dir]);
    await cli(['tenant', 'add', 'big', '--tier', 'enterprise', '--yes', '--no-synth', '--dir', dir]);
    expect((await cli(['synth', '--dir', dir])).status).toBe(0);
  });

  test('THEN tenant show names each tenant’s rollout wave and the waves before it', async () => {
    expect((await cli(['tenant', 'show', 'pilot', '--dir', dir])).stdout).toContain('rollout wave canary (the first)');
    expect((await cli(['tenant', 'show', 'big', '--dir', dir])).stdout).toContain('rollout wave general (after canary, early)');
    expect(JSON.parse((await cli(['tenant', 'show', 'small', '--output', 'json', '--dir', dir])).stdout).wave).toEqual({
      name: 'early',
      earlier: ['canary'],
    });
  });

  test('THEN each step of a release changes the stacks of one wave only and names its tenants, until the tag is every tenant’s', async () => {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    git('init', '--quiet', '--initial-branch', 'main');
    git('-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'add', 'platform.json', 'tenants');
    git('-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-m', 'base');
    const before = { small: stack('small'), big: stack('big') };
    const start = await cli(['release', 'start', 'task', '1.1.0', '--dir', dir]);
    // What the pull request shows: the one stack that changes, and who takes which version.
    const changed = JSON.parse((await cli(['changed', '--base', 'HEAD', '--output', 'json', '--dir', dir])).stdout);
    expect(changed.names).toEqual(['tenant-pilot']);
    expect(changed.releases).toEqual([{ service: 'task', tag: '1.1.0', tenants: [{ id: 'pilot', wave: 'canary' }] }]);
    expect((await cli(['changed', '--base', 'HEAD', '--dir', dir])).stderr).toContain('release: task 1.1.0: pilot (wave canary)');
    expect(start.stdout).toContain('wave canary takes task 1.1.0: tenants pilot');
    expect(task()).toMatchObject({ tag: '1.0.0', release: { tag: '1.1.0', through: 'canary' } });
    expect([taskVersion('pilot'), stack('small'), stack('big')]).toEqual(['1.1.0', before.small, before.big]);

    const early = JSON.parse((await cli(['release', 'promote', 'task', '--output', 'json', '--dir', dir])).stdout);
    expect(early).toEqual({ service: 'task', tag: '1.1.0', wave: 'early', tenants: ['small'], finished: false });
    expect([taskVersion('small'), stack('big')]).toEqual(['1.1.0', before.big]);

    expect((await cli(['release', 'promote', 'task', '--dir', dir])).stdout).toContain('wave general takes task 1.1.0: tenants big');
    expect(task().tag).toBe('1.1.0');
    expect(task().release).toBeUndefined();
    expect(taskVersion('big')).toBe('1.1.0');

    const done = await cli(['release', 'promote', 'task', '--dir', dir]);
    expect(done.status).toBe(1);
    expect(done.stderr).toContain('platform.json was not changed: task has no release in progress: start one with a new tag');
    expect((await cli(['validate', '--dir', dir])).stdout).not.toMatch(/TC-CAN-/);
  });

  test('THEN an unknown service or a tenant file naming an unknown wave is refused', async () => {
    expect((await cli(['release', 'promote', 'billing', '--dir', dir])).stderr).toContain('billing is not a catalog service');
    const file = path.join(dir, 'tenants', 'big.json');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(text), wave: 'later' }, null, 2));
    expect((await cli(['tenant', 'show', 'big', '--dir', dir])).stderr).toContain('wave: is not a rollout wave: use one of canary, early, general');
    fs.writeFileSync(file, text);
  });
});
