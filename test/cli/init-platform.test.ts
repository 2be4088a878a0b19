import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../util';
import { cli, scratchDirs, snapshotTree, tenantctl, type CliResult } from './helpers';

const ACCOUNT = ['--account-id', '111122223333'];
/** An empty directory per test case. */
const newDir = scratchDirs();

describe('tenantctl init platform: success', () => {
  const dir = tempDir();
  let result: CliResult;
  beforeAll(async () => {
    result = await cli(['init', 'platform', '--yes', ...ACCOUNT, '--name', 'acme', '--region', 'eu-west-1', '--dir', dir]);
  });

  it('exits 0 and reports what it wrote', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('platform.json');
  });

  it('writes a versioned platform.json with the answers and the planned subnets', () => {
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'platform.json'), 'utf8'));
    expect(cfg).toMatchObject({
      version: 1,
      name: 'acme',
      environment: 'prod',
      aws: { region: 'eu-west-1', accountId: '111122223333' },
      network: {
        vpcCidr: '10.0.0.0/16',
        availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
        publicSubnets: ['10.0.0.0/20', '10.0.16.0/20', '10.0.32.0/20'],
        privateSubnets: ['10.0.128.0/20', '10.0.144.0/20', '10.0.160.0/20'],
        databaseSubnets: ['10.0.200.0/24', '10.0.201.0/24', '10.0.202.0/24'],
      },
    });
  });

  it("synthesizes the platform stack in cdktf's layout", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks)).toEqual(['platform', 'cluster']);
    expect(manifest.stacks.platform.synthesizedStackPath).toBe('stacks/platform/cdk.tf.json');
    const stack = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/stacks/platform/cdk.tf.json'), 'utf8'));
    expect(stack.resource.aws_eks_cluster).toBeDefined();
    expect(stack.terraform.backend.local.path).toBe('../../../state/platform/terraform.tfstate');
  });

  it('writes cdktf.json pointing cdktf at tenantctl and a .gitignore', () => {
    const cdktf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.json'), 'utf8'));
    expect(cdktf.app).toBe('npx --no-install tenantctl synth --quiet');
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toContain('cdktf.out/');
  });

  // Through the real binary: its exit code for a configuration error.
  it('refuses to overwrite the configuration without --force, and changes nothing', () => {
    const before = snapshotTree(dir);
    const again = tenantctl(['init', 'platform', '--yes', ...ACCOUNT, '--name', 'other', '--dir', dir]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/platform\.json already exists/);
    expect(again.stderr).toMatch(/--force/);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('overwrites with --force', async () => {
    const forced = await cli(['init', 'platform', '--yes', ...ACCOUNT, '--name', 'other', '--no-synth', '--force', '--dir', dir]);
    expect(forced.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'platform.json'), 'utf8')).name).toBe('other');
  });
});

describe('tenantctl init platform: bad input exits non-zero, says what to fix and writes nothing', () => {
  const cases: [string, string[], RegExp, number][] = [
    ['invalid VPC CIDR', ['--vpc-cidr', '10.0.0.0/33'], /network\.vpcCidr: 10\.0\.0\.0\/33 is not a valid IPv4 CIDR/, 1],
    ['VPC CIDR with host bits', ['--vpc-cidr', '10.0.1.0/16'], /host bits set: use 10\.0\.0\.0\/16/, 1],
    ['unknown region', ['--region', 'us-east1'], /aws\.region: unknown AWS region "us-east1"/, 1],
    ['bad account id', ['--account-id', '12345'], /aws\.accountId: must be a 12-digit AWS account id \(got "12345"\)/, 1],
    [
      'AZ outside the region',
      ['--region', 'eu-west-1', '--azs', 'eu-west-1a,us-east-1b,eu-west-1c'],
      /us-east-1b is not an availability zone of eu-west-1/,
      1,
    ],
    ['unsupported EKS version', ['--eks-version', '1.20'], /EKS version "1\.20" is not supported/, 1],
    ['bad node group sizes', ['--tenant-nodes', '5:2:4'], /eks\.nodeGroups\.tenants: needs minSize <= desiredSize <= maxSize/, 1],
    ['malformed node group sizes', ['--system-nodes', 'two'], /--system-nodes two is not min:desired:max/, 2],
    ['malformed service account', ['--service-account', 'payments'], /--service-account "payments" is not name=accountId:purpose/, 2],
    [
      'service account with a bad id',
      ['--service-account', 'payments=2222:Payments'],
      /aws\.serviceAccounts\.0\.accountId: must be a 12-digit AWS account id/,
      1,
    ],
    ['service account named platform', ['--service-account', 'platform=222233334444:Shared'], /"platform" is reserved for the platform account/, 1],
    [
      'bad Terraform Cloud organization',
      ['--tfc-organization', 'acme corp'],
      /terraformCloud\.organization: must be a Terraform Cloud organization name/,
      1,
    ],
  ];
  it.each(cases)('%s', async (_name, flags, message, code) => {
    const dir = newDir();
    const args = ['init', 'platform', '--yes', ...(flags.includes('--account-id') ? [] : ACCOUNT), ...flags, '--dir', dir];
    const res = await cli(args);
    expect(res.status).toBe(code);
    expect(res.stderr).toMatch(message);
    expect(snapshotTree(dir)).toEqual({});
  });

  it('a non-interactive run missing a required value fails instead of prompting', async () => {
    const dir = newDir();
    const res = await cli(['init', 'platform', '--dir', dir]);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/missing --account-id/);
    expect(res.stderr).toMatch(/non-interactive/);
    expect(snapshotTree(dir)).toEqual({});
  });

  // Through the real binary: its exit code for a usage error.
  it('an unknown option is a usage error (exit 2)', () => {
    const res = tenantctl(['init', 'platform', '--colour', 'blue']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/unknown option '--colour'/);
  });
});

describe('tenantctl init platform with Terraform Cloud and service accounts', () => {
  const dir = tempDir();
  let result: CliResult;
  beforeAll(async () => {
    result = await cli([
      'init',
      'platform',
      '--yes',
      ...ACCOUNT,
      '--name',
      'acme',
      '--tfc-organization',
      'acme-corp',
      '--service-account',
      'payments=222233334444:Payment services',
      '--service-account',
      'analytics=333344445555:Analytics',
      '--dir',
      dir,
    ]);
  });

  it('writes the organization and the accounts to platform.json', () => {
    expect(result.status).toBe(0);
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'platform.json'), 'utf8'));
    expect(cfg.terraformCloud).toEqual({ organization: 'acme-corp' });
    expect(cfg.aws.serviceAccounts).toEqual([
      { name: 'payments', accountId: '222233334444', purpose: 'Payment services' },
      { name: 'analytics', accountId: '333344445555', purpose: 'Analytics' },
    ]);
  });

  it('synthesizes the workspaces stack and one bootstrap stack per account besides the platform', () => {
    expect(fs.readdirSync(path.join(dir, 'cdktf.out', 'stacks')).sort()).toEqual([
      'bootstrap-analytics',
      'bootstrap-payments',
      'bootstrap-platform',
      'cluster',
      'platform',
      'workspaces',
    ]);
    const platform = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'platform', 'cdk.tf.json'), 'utf8'));
    expect(platform.terraform.cloud).toEqual({
      organization: 'acme-corp',
      hostname: 'app.terraform.io',
      workspaces: { name: 'acme-prod-platform', project: 'acme-prod-platform' },
    });
  });
});

describe('hand-edited platform.json', () => {
  const write = (dir: string, cfg: unknown) => fs.writeFileSync(path.join(dir, 'platform.json'), typeof cfg === 'string' ? cfg : JSON.stringify(cfg));
  const base = { version: 1, name: 'acme', environment: 'prod', aws: { region: 'eu-west-1', accountId: '111122223333' } };

  it('overlapping subnets are named with both fields', async () => {
    const dir = newDir();
    write(dir, {
      ...base,
      network: { publicSubnets: ['10.0.0.0/20', '10.0.16.0/20', '10.0.32.0/20'], privateSubnets: ['10.0.8.0/21', '10.0.144.0/20', '10.0.160.0/20'] },
    });
    const res = await cli(['synth', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/network\.privateSubnets\.0: 10\.0\.8\.0\/21 overlaps 10\.0\.0\.0\/20 \(network\.publicSubnets\.0\)/);
    expect(fs.existsSync(path.join(dir, 'cdktf.out'))).toBe(false);
  });

  it('subnets outside the VPC are refused', async () => {
    const dir = newDir();
    write(dir, { ...base, network: { databaseSubnets: ['10.1.200.0/24', '10.0.201.0/24', '10.0.202.0/24'] } });
    const res = await cli(['synth', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/network\.databaseSubnets\.0: 10\.1\.200\.0\/24 is outside the VPC 10\.0\.0\.0\/16/);
  });

  it('malformed JSON names the file', async () => {
    const dir = newDir();
    write(dir, '{ "version": 1, ');
    const res = await cli(['synth', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/platform\.json is invalid:\n {2}- is not valid JSON at line 1, column 17: Expected double-quoted property name/);
  });

  it('unknown fields are refused (typos do not silently fall back to defaults)', async () => {
    const dir = newDir();
    write(dir, { ...base, netwrok: {} });
    const res = await cli(['synth', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/ {2}- netwrok: unknown field "netwrok": did you mean "network"\?/);
  });

  it('a missing platform.json says how to create one', async () => {
    const dir = newDir();
    const res = await cli(['synth', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/platform\.json does not exist/);
    expect(res.stderr).toMatch(/tenantctl init platform/);
  });
});
