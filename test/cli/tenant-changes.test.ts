import * as fs from 'fs';
import * as path from 'path';
import { cli, fixtureProject, snapshotTree } from './helpers';

const tenantJson = (dir: string, id: string) => JSON.parse(fs.readFileSync(path.join(dir, 'tenants', `${id}.json`), 'utf8'));

describe('GIVEN a project with an enterprise and a starter tenant', () => {
  const dir = fixtureProject('synthesized');
  const run = (...args: string[]) => cli([...args, '--dir', dir]);
  beforeAll(async () => {
    for (const args of [
      ['tenant', 'add', 'acme', '--tier', 'enterprise', '--admin-email', 'ops@acme.example', '--display-name', 'Acme', '--quiet'],
      ['tenant', 'add', 'beta', '--tier', 'starter', '--quiet'],
    ]) {
      const res = await run(...args);
      if (res.status !== 0) throw new Error(res.stderr);
    }
  });

  describe('--set', () => {
    it('refuses a typo in a nested field with the nearest known one, and writes nothing', async () => {
      const before = snapshotTree(dir);
      const res = await run('tenant', 'update', 'beta', '--set', 'quota.cpux=8');
      expect(res.status).toBe(1);
      expect(res.stderr).toBe(
        'error: --set quota.cpux=8 is invalid:\n  - quota.cpux: unknown field "cpux": did you mean "cpu"?\n' +
          'Fix the values named above and run the command again; nothing was written.\n',
      );
      expect(snapshotTree(dir)).toEqual(before);
    });

    it('types each value as the tier field is: quantities as text, counts as numbers, lists as JSON', async () => {
      const res = await run(
        'tenant',
        'update',
        'acme',
        '--set',
        'limitRange.maxCpu=2',
        '--set',
        'quota.memory=48Gi',
        '--set',
        'quota.pods=90',
        '--set',
        'nodes.nodeGroup.instanceTypes=["m6i.2xlarge","m7i.2xlarge"]',
        '--quiet',
      );
      expect(res.status).toBe(0);
      expect(tenantJson(dir, 'acme').overrides.tier).toEqual({
        limitRange: { maxCpu: '2' },
        quota: { memory: '48Gi', pods: 90 },
        nodes: { nodeGroup: { instanceTypes: ['m6i.2xlarge', 'm7i.2xlarge'] } },
      });
      const stack = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/stacks/tenant-acme/cdk.tf.json'), 'utf8'));
      expect(Object.values(stack.resource.aws_eks_node_group).map((g: any) => g.instance_types)).toEqual([['m6i.2xlarge', 'm7i.2xlarge']]);
    });
  });

  it('an empty --admin-email or --display-name removes the contact', async () => {
    expect((await run('tenant', 'update', 'acme', '--admin-email', '', '--display-name', '', '--no-synth', '--quiet')).status).toBe(0);
    const file = tenantJson(dir, 'acme');
    expect(file.adminEmail).toBeUndefined();
    expect(file.displayName).toBeUndefined();
  });

  describe('--dry-run', () => {
    it('of a downgrade lists the resources per stack, warns about the node group and the quota, and writes nothing', async () => {
      const before = snapshotTree(dir);
      const res = await run(
        'tenant',
        'update',
        'acme',
        '--tier',
        'standard',
        '--unset',
        'nodes',
        '--unset',
        'quota',
        '--unset',
        'limitRange',
        '--dry-run',
        '--output',
        'json',
      );
      expect(res.status).toBe(0);
      const preview = JSON.parse(res.stdout);
      expect(preview.stacks.map((s: any) => [s.name, s.change])).toEqual([['tenant-acme', 'modified']]);
      expect(preview.stacks[0].removed).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_eks_node_group\.nodes_node-group_/)]));
      expect(preview.stacks[0].changed).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_resource_quota_v1\./)]));
      expect(preview.warnings).toEqual([
        expect.stringMatching(/^the next apply of tenant-acme destroys the tenant's dedicated node group/),
        expect.stringMatching(/^the quota is lowered \(cpu 16 -> 4, /),
      ]);
      expect(res.stderr).toBe('');
      expect(snapshotTree(dir)).toEqual(before);
    });

    it('of a new tenant lists its whole stack as added, in human form', async () => {
      const res = await run('tenant', 'add', 'gamma', '--tier', 'starter', '--dry-run');
      expect(res.status).toBe(0);
      expect(res.stdout).toMatch(/^tenant-gamma {2}added: \d+ to add, 0 to change, 0 to destroy$/m);
      expect(res.stdout).toMatch(/^ {4}\+ kubernetes_namespace_v1\.namespace_/m);
      expect(res.stderr).toBe('dry run: nothing was written\n');
      expect(fs.existsSync(path.join(dir, 'tenants/gamma.json'))).toBe(false);
    });

    it('of a removal with --purge-data asks no confirmation, warns about the data and writes nothing', async () => {
      const before = snapshotTree(dir);
      const res = await run('tenant', 'remove', 'beta', '--purge-data', '--dry-run');
      expect(res.status).toBe(0);
      expect(res.stdout).toMatch(/^tenant-beta {2}modified: \d+ to add, 0 to change, \d+ to destroy$/m);
      expect(res.stderr).toMatch(/^warning: the next apply of tenant-beta drops the tenant's database schema, shared-table rows and role/m);
      expect(snapshotTree(dir)).toEqual(before);
    });
  });

  it('a real downgrade says what it destroys before writing', async () => {
    const res = await run(
      'tenant',
      'update',
      'acme',
      '--tier',
      'standard',
      '--unset',
      'nodes',
      '--unset',
      'quota',
      '--unset',
      'limitRange',
      '--quiet',
    );
    expect(res.status).toBe(0);
    expect(res.stderr).toMatch(/^warning: the next apply of tenant-acme destroys the tenant's dedicated node group/m);
  });

  describe('a removed tenant id', () => {
    beforeAll(async () => {
      const res = await run('tenant', 'remove', 'beta', '--quiet');
      if (res.status !== 0) throw new Error(res.stderr);
    });

    it('add says how to restore or finalize it', async () => {
      const res = await run('tenant', 'add', 'beta', '--tier', 'starter');
      expect(res.status).toBe(1);
      expect(res.stderr).toBe(
        'error: tenant beta was removed (tenants/beta.json has status "removed")\n' +
          'Its data was kept: restore it with `tenantctl tenant update beta --restore`, or once the removal is applied, `tenantctl tenant ' +
          'finalize beta` deletes its file, and the id can be added again.\n',
      );
    });

    it('update --restore brings it back with its stack', async () => {
      const res = await run('tenant', 'update', 'beta', '--restore', '--quiet');
      expect(res.status).toBe(0);
      expect(tenantJson(dir, 'beta')).toEqual({ version: 1, id: 'beta', tier: 'starter' });
      const stack = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/stacks/tenant-beta/cdk.tf.json'), 'utf8'));
      expect(stack.resource.kubernetes_namespace_v1).toBeDefined();
    });
  });

  it('synth --stack takes a glob and synthesizes exactly the stacks it matches', async () => {
    const res = await run('synth', '--stack', 'tenant-*');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^synthesized tenant-acme, tenant-beta into /);
    const none = await run('synth', '--stack', 'tenent-*');
    expect(none.status).toBe(1);
    expect(none.stderr).toBe('error: no stack matches "tenent-*"\nStacks in this project: platform, cluster, tenant-acme, tenant-beta\n');
  });

  it('invalid JSON in a tenant file is reported by line and column', async () => {
    fs.writeFileSync(path.join(dir, 'tenants/broken.json'), '{\n  "version": 1,\n  "id": "broken"\n  "tier": "starter"\n}\n');
    const res = await run('tenant', 'list');
    fs.rmSync(path.join(dir, 'tenants/broken.json'));
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/^error: tenants\/broken\.json is invalid:\n {2}- is not valid JSON at line 4, column 3: /);
  });
});
