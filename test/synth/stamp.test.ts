import * as fs from 'fs';
import * as path from 'path';
import { loadProject, tenantFile } from '../../src/project/project';
import * as app from '../../src/synth/app';
import { stampInputs, upToDateStacks } from '../../src/synth/stamp';
import { readManifest, synthesize } from '../../src/synth/synthesize';
import { tempDir } from '../util';
import { FIXTURES, writeFixture } from './fixture-projects';

/**
 * Each synthesized stack's manifest entry records what it was built from, so `validate`
 * (synthesize with `reuse`) and `changed` skip stacks whose output is up to date.
 */
const root = tempDir();

function project(name: string) {
  const dir = writeFixture(fs.mkdtempSync(path.join(root, `${name}-`)), FIXTURES[name]);
  synthesize(loadProject(dir));
  return dir;
}

const fresh = (dir: string) =>
  [...upToDateStacks(stampInputs(loadProject(dir)), path.join(dir, 'cdktf.out'), readManifest(path.join(dir, 'cdktf.out')))].sort();
const editTenant = (dir: string, id: string, change: object) => {
  const file = tenantFile(dir, id);
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), ...change }));
};

describe('GIVEN a project synthesized with local state', () => {
  const dir = project('default');
  const all = loadProject(dir).tenants.map((t) => t.names.stack);

  test('THEN every stack is up to date, and a synth with reuse writes nothing', () => {
    expect(fresh(dir)).toEqual(['cluster', 'platform', ...all].sort());
    expect(synthesize(loadProject(dir), { reuse: true }).written).toEqual([]);
  });

  test("WHEN a tenant's file changes THEN only its stack is synthesized again", () => {
    editTenant(dir, 'acme', { displayName: 'Acme Corporation' });
    expect(fresh(dir)).not.toContain('tenant-acme');
    expect(synthesize(loadProject(dir), { reuse: true }).written).toEqual(['tenant-acme']);
    expect(fresh(dir)).toContain('tenant-acme');
  });

  test('WHEN an output is edited by hand THEN that stack is no longer up to date', () => {
    const file = path.join(dir, 'cdktf.out', 'stacks', 'tenant-globex', 'cdk.tf.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"tenant-globex"', '"tenant-edited"'));
    expect(synthesize(loadProject(dir), { reuse: true }).written).toEqual(['tenant-globex']);
  });

  test('WHEN platform.json changes THEN every stack is synthesized again', () => {
    const file = path.join(dir, 'platform.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), environment: 'staging' }));
    expect(fresh(dir)).toEqual([]);
    expect(synthesize(loadProject(dir), { reuse: true }).written.sort()).toEqual(['cluster', 'platform', ...all].sort());
  });
});

describe('GIVEN a tenant file edited while its stack is being built', () => {
  test('THEN that stack is installed unstamped (never taken as up to date), and the others are stamped', () => {
    const dir = writeFixture(fs.mkdtempSync(path.join(root, 'racing-')), FIXTURES.default);
    const build = app.synthesizeApp;
    let edited = false;
    const during = jest.spyOn(app, 'synthesizeApp').mockImplementation((...args) => {
      editTenant(dir, 'acme', { displayName: 'Acme, edited during the synth' });
      edited = true;
      return build(...args);
    });
    try {
      synthesize(loadProject(dir));
    } finally {
      during.mockRestore();
    }
    expect(edited).toBe(true);
    const stacks = readManifest(path.join(dir, 'cdktf.out'))!.stacks;
    expect(stacks['tenant-acme'].tenantctl).toBeUndefined();
    expect(stacks['tenant-globex'].tenantctl).toBeDefined();
    expect(fresh(dir)).not.toContain('tenant-acme');
    expect(synthesize(loadProject(dir), { reuse: true }).written).toEqual(['tenant-acme']);
  });
});

describe('GIVEN a Terraform Cloud project synthesized', () => {
  const dir = project('terraform-cloud');

  const stale = () =>
    loadProject(dir)
      .tenants.map((t) => t.names.stack)
      .concat(['workspaces', 'bootstrap-platform', 'bootstrap-payments', 'bootstrap-analytics', 'platform', 'cluster'])
      .filter((s) => !fresh(dir).includes(s))
      .sort();

  test("WHEN a platform account tenant's file changes THEN its stack, the workspaces and bootstrap-platform are stale, nothing else", () => {
    editTenant(dir, 'globex', { displayName: 'Globex' });
    expect(stale()).toEqual(['bootstrap-platform', 'tenant-globex', 'workspaces']);
  });

  test("WHEN a service account tenant's file changes THEN the bootstrap stack of its account is stale too", () => {
    synthesize(loadProject(dir));
    editTenant(dir, 'wayne', { displayName: 'Wayne Enterprises' });
    expect(stale()).toEqual(['bootstrap-payments', 'bootstrap-platform', 'tenant-wayne', 'workspaces']);
  });
});

describe('GIVEN a project built in memory (not on disk)', () => {
  test('THEN its synth records nothing, so nothing of it is taken as up to date', () => {
    const dir = project('domain');
    const outdir = path.join(root, 'in-memory-out');
    synthesize({ ...loadProject(dir), dir: path.join(root, 'nowhere') }, { outdir });
    expect(Object.values(readManifest(outdir)!.stacks).every((s) => s.tenantctl === undefined)).toBe(true);
  });
});
