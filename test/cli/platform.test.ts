import * as fs from 'fs';
import * as path from 'path';
import { cli, fixtureProject, snapshotTree } from './helpers';

const platformJson = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'platform.json'), 'utf8'));

/** The synthesized fixture project with these starter tenants, added before the describe's tests run. */
function project(...tenants: string[]): string {
  const dir = fixtureProject('synthesized');
  beforeAll(async () => {
    for (const id of tenants) {
      const res = await cli(['tenant', 'add', id, '--tier', 'starter', '--dir', dir, '--quiet']);
      if (res.status !== 0) throw new Error(res.stderr);
    }
  });
  return dir;
}

describe('tenantctl platform show', () => {
  const dir = project();

  it('prints the effective settings, defaults and derived subnets included, one dotted path per line', async () => {
    const res = await cli(['platform', 'show', '--dir', dir]);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^aws\.accountId +111122223333$/m);
    expect(res.stdout).toMatch(/^network\.natGateways +per-az$/m);
    expect(res.stdout).toMatch(/^eks\.nodeGroups\.tenants\.maxSize +12$/m);
    expect(res.stdout).toMatch(/^database\.plannedTenants +500$/m);
  });

  it('prints the same as JSON', async () => {
    const res = await cli(['platform', 'show', '--dir', dir, '--output', 'json']);
    expect(res.status).toBe(0);
    const shown = JSON.parse(res.stdout);
    expect(shown.network.privateSubnets).toEqual(['10.0.128.0/20', '10.0.144.0/20', '10.0.160.0/20']);
    expect(shown.eks.nodeGroups.tenants).toEqual({ instanceTypes: ['m6i.xlarge'], minSize: 3, desiredSize: 3, maxSize: 12 });
  });
});

describe('tenantctl platform set', () => {
  const dir = project('acme');

  it('refuses an unknown path with the nearest known one, and writes nothing', async () => {
    const before = snapshotTree(dir);
    const res = await cli(['platform', 'set', 'eks.nodeGroups.tenants.maxSiz', '20', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      'error: platform set eks.nodeGroups.tenants.maxSiz is invalid:\n' +
        '  - eks.nodeGroups.tenants.maxSiz: unknown field "maxSiz": did you mean "maxSize"?\n' +
        'Fix the values named above and run the command again; nothing was written.\n',
    );
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('refuses a value of the wrong type with the schema message', async () => {
    const res = await cli(['platform', 'set', 'database.plannedTenants', 'many', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/database\.plannedTenants: Expected number, received string \(got "many"\)/);
  });

  it('--dry-run prints the resources that change and writes nothing', async () => {
    const before = snapshotTree(dir);
    const res = await cli(['platform', 'set', 'eks.nodeGroups.tenants.maxSize', '20', '--dry-run', '--output', 'json', '--dir', dir]);
    expect(res.status).toBe(0);
    const preview = JSON.parse(res.stdout);
    expect(preview.stacks).toEqual([
      {
        name: 'platform',
        change: 'modified',
        added: [],
        changed: [expect.stringMatching(/^aws_eks_node_group\.eks_node-group-tenants_/)],
        removed: [],
      },
    ]);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it("writes a number where the schema wants one, keeps the group's other defaults, and names the stacks that changed", async () => {
    const res = await cli(['platform', 'set', 'eks.nodeGroups.tenants.maxSize', '20', '--dir', dir]);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^wrote platform\.json: eks\.nodeGroups\.tenants\.maxSize = 20$/m);
    expect(res.stdout).toMatch(/synthesized 3 stacks into .*: changed platform \(modified\)$/m);
    expect(platformJson(dir).eks.nodeGroups.tenants).toEqual({ instanceTypes: ['m6i.xlarge'], minSize: 3, desiredSize: 3, maxSize: 20 });
    const stack = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/stacks/platform/cdk.tf.json'), 'utf8'));
    const groups = Object.entries(stack.resource.aws_eks_node_group).filter(([id]) => id.startsWith('eks_node-group-tenants_'));
    expect(groups.map(([, g]: [string, any]) => g.scaling_config.max_size)).toEqual([20]);
  });

  it('sets lists as JSON', async () => {
    const res = await cli([
      'platform',
      'set',
      'eks.adminPrincipalArns',
      '["arn:aws:iam::111122223333:role/ops"]',
      '--no-synth',
      '--quiet',
      '--dir',
      dir,
    ]);
    expect(res.status).toBe(0);
    expect(platformJson(dir).eks.adminPrincipalArns).toEqual(['arn:aws:iam::111122223333:role/ops']);
  });

  it('refuses, while tenants exist, a change that replaces the platform, saying what it would do', async () => {
    const before = snapshotTree(dir);
    const res = await cli(['platform', 'set', 'aws.accountId', '222233334444', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      'error: platform.json was not changed: this cannot be applied in place while 1 tenant(s) exist:\n' +
        '  - aws.accountId 111122223333 -> 222233334444: moves the platform to another AWS account: everything is created anew there, and ' +
        'nothing of the old account is kept\n' +
        'Pass --replace-platform to accept that, or keep the current value.\n',
    );
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('changes several settings at once, and writes a replacing change with --replace-platform', async () => {
    const res = await cli([
      'platform',
      'set',
      'aws.region',
      'eu-west-1',
      'network.availabilityZones',
      '["eu-west-1a","eu-west-1b","eu-west-1c"]',
      '--replace-platform',
      '--no-synth',
      '--dir',
      dir,
    ]);
    expect(res.status).toBe(0);
    expect(res.stderr).toMatch(/^warning: aws\.region us-east-1 -> eu-west-1: moves the platform to another region/m);
    expect(platformJson(dir).aws.region).toBe('eu-west-1');
    expect(platformJson(dir).network.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });
});

describe('tenantctl init platform --force with tenants present', () => {
  const dir = project('acme');

  it('refuses values that replace the platform (an account left to its default, say), and writes nothing', async () => {
    const before = snapshotTree(dir);
    const res = await cli(['init', 'platform', '--yes', '--force', '--account-id', '222233334444', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(
      /^error: platform\.json was not overwritten: the new values cannot be applied in place while 1 tenant\(s\) exist:\n {2}- aws\.accountId 111122223333 -> 222233334444: /,
    );
    expect(res.stderr).toMatch(/or pass --replace-platform to accept that\.\n$/);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('overwrites with the same account, region and network', async () => {
    expect((await cli(['init', 'platform', '--yes', '--force', '--account-id', '111122223333', '--no-synth', '--quiet', '--dir', dir])).status).toBe(
      0,
    );
  });

  it('overwrites a replacing change with --replace-platform', async () => {
    expect(
      (
        await cli([
          'init',
          'platform',
          '--yes',
          '--force',
          '--replace-platform',
          '--account-id',
          '222233334444',
          '--no-synth',
          '--quiet',
          '--dir',
          dir,
        ])
      ).status,
    ).toBe(0);
    expect(platformJson(dir).aws.accountId).toBe('222233334444');
  });
});
