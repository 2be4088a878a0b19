import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cli, cliPath, fixtureProject, scratchDirs, snapshotTree } from './helpers';

const readStack = (dir: string, stack: string) => fs.readFileSync(path.join(dir, 'cdktf.out/stacks', stack, 'cdk.tf.json'), 'utf8');
const manifestStacks = (dir: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/manifest.json'), 'utf8')).stacks);

/** What `init platform --yes --account-id 111122223333 --quiet` writes. */
const initProject = () => fixtureProject('synthesized');

describe('tenant add', () => {
  const dir = initProject();
  const newDir = scratchDirs();
  let platformBefore: string;
  let acmeAfterAdd: string;
  beforeAll(async () => {
    platformBefore = readStack(dir, 'platform');
    expect(
      (await cli(['tenant', 'add', 'acme', '--tier', 'enterprise', '--display-name', 'Acme Corp', '--admin-email', 'ops@acme.example', '--dir', dir]))
        .status,
    ).toBe(0);
    acmeAfterAdd = readStack(dir, 'tenant-acme');
    expect((await cli(['tenant', 'add', 'beta', '--tier', 'starter', '--dir', dir])).status).toBe(0);
  });

  it('writes one file per tenant', () => {
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'tenants/acme.json'), 'utf8'))).toEqual({
      version: 1,
      id: 'acme',
      tier: 'enterprise',
      displayName: 'Acme Corp',
      adminEmail: 'ops@acme.example',
    });
    expect(fs.existsSync(path.join(dir, 'tenants/beta.json'))).toBe(true);
  });

  it('synthesizes the tenant stacks and lists them in the manifest in apply order', () => {
    expect(manifestStacks(dir)).toEqual(['platform', 'cluster', 'tenant-acme', 'tenant-beta']);
    expect(JSON.parse(readStack(dir, 'tenant-beta')).resource.kubernetes_namespace_v1).toBeDefined();
  });

  it('leaves the platform stack and every other tenant stack byte for byte unchanged', () => {
    expect(readStack(dir, 'platform')).toBe(platformBefore);
    expect(readStack(dir, 'tenant-acme')).toBe(acmeAfterAdd);
  });

  it('a full synth produces the same bytes as the incremental ones', async () => {
    const full = path.join(newDir(), 'out');
    expect((await cli(['synth', '--dir', dir, '--outdir', full, '--quiet'])).status).toBe(0);
    for (const stack of ['platform', 'cluster', 'tenant-acme', 'tenant-beta']) {
      expect(fs.readFileSync(path.join(full, 'stacks', stack, 'cdk.tf.json'), 'utf8')).toBe(readStack(dir, stack));
    }
  });

  const bad: [string, string[], RegExp, number][] = [
    ['an id that is not a DNS label', ['Acme_Corp', '--tier', 'starter'], /not a lowercase DNS label/, 1],
    ['a reserved id', ['kube-system', '--tier', 'starter'], /is reserved/, 1],
    ['an id too long for derived names', ['a'.repeat(30), '--tier', 'starter'], /at most 24/, 1],
    ['an unknown tier', ['gamma', '--tier', 'platinum'], /tier: unknown tier: use one of starter, standard, enterprise \(got "platinum"\)/, 1],
    ['a duplicate', ['acme', '--tier', 'starter'], /tenant acme already exists/, 1],
    ['a missing tier in a non-interactive run', ['gamma'], /missing --tier/, 2],
    ['a bad override', ['gamma', '--tier', 'starter', '--set', 'quota.pods=-3'], /overrides\.tier\.quota\.pods/, 1],
    ['an unknown service account', ['gamma', '--tier', 'starter', '--service-account', 'payments'], /unknown service account/, 1],
    [
      'an override path that is not field names',
      ['gamma', '--tier', 'starter', '--set', 'quota.__proto__.cpu=8'],
      /--set quota\.__proto__\.cpu=8 is not path=value/,
      2,
    ],
  ];
  it.each(bad)('refuses %s with a clear message and changes nothing', async (_name, args, message, code) => {
    const before = snapshotTree(dir);
    const res = await cli(['tenant', 'add', ...args, '--dir', dir]);
    expect(res.status).toBe(code);
    expect(res.stderr).toMatch(message);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('lists tenants as a table and as JSON', async () => {
    const human = await cli(['tenant', 'list', '--dir', dir]);
    expect(human.stdout).toMatch(/^ID\s+TIER\s+STATUS/m);
    expect(human.stdout).toMatch(/^acme\s+enterprise\s+active/m);
    const json = JSON.parse((await cli(['tenant', 'list', '--output', 'json', '--dir', dir])).stdout);
    expect(json.map((t: { id: string; tier: string }) => [t.id, t.tier])).toEqual([
      ['acme', 'enterprise'],
      ['beta', 'starter'],
    ]);
  });

  it('shows a tenant with its resolved tier and derived names', async () => {
    const shown = JSON.parse((await cli(['tenant', 'show', 'acme', '--output', 'json', '--dir', dir])).stdout);
    expect(shown.names).toMatchObject({ namespace: 'tenant-acme', dbRole: 'tenant_acme', iamRole: 'saas-prod-tenant-acme' });
    expect(shown.resolvedTier.quota).toMatchObject({ cpu: '16', memory: '32Gi', pods: 100 });
    expect((await cli(['tenant', 'show', 'nobody', '--dir', dir])).stderr).toMatch(/tenants\/nobody\.json does not exist/);
  });
});

describe('tenant update and remove', () => {
  const dir = initProject();
  beforeAll(async () => {
    expect((await cli(['tenant', 'add', 'beta', '--tier', 'starter', '--dir', dir])).status).toBe(0);
    expect((await cli(['tenant', 'add', 'gamma', '--tier', 'standard', '--dir', dir])).status).toBe(0);
  });

  it('changes tier up and down, re-synthesizing only that tenant', async () => {
    const gamma = readStack(dir, 'tenant-gamma');
    const platform = readStack(dir, 'platform');
    expect((await cli(['tenant', 'update', 'beta', '--tier', 'enterprise', '--dir', dir])).status).toBe(0);
    const up = JSON.parse(readStack(dir, 'tenant-beta'));
    expect(Object.values(up.resource.aws_eks_node_group ?? {})).toHaveLength(1);
    expect((await cli(['tenant', 'update', 'beta', '--tier', 'starter', '--dir', dir])).status).toBe(0);
    const down = JSON.parse(readStack(dir, 'tenant-beta'));
    expect(down.resource.aws_eks_node_group).toBeUndefined();
    expect(readStack(dir, 'tenant-gamma')).toBe(gamma);
    expect(readStack(dir, 'platform')).toBe(platform);
  });

  it('applies and removes per-tenant overrides', async () => {
    expect((await cli(['tenant', 'update', 'gamma', '--set', 'quota.cpu=6', '--dir', dir])).status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'tenants/gamma.json'), 'utf8')).overrides).toEqual({ tier: { quota: { cpu: '6' } } });
    const quota = Object.values(JSON.parse(readStack(dir, 'tenant-gamma')).resource.kubernetes_resource_quota_v1)[0] as any;
    expect(JSON.stringify(quota)).toContain('"requests.cpu":"6"');
    expect((await cli(['tenant', 'update', 'gamma', '--unset', 'quota.cpu', '--dir', dir])).status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'tenants/gamma.json'), 'utf8')).overrides).toEqual({ tier: {} });
  });

  it('remove keeps the data: the stack is emptied, no drop job', async () => {
    expect((await cli(['tenant', 'remove', 'gamma', '--dir', dir])).status).toBe(0);
    const stack = JSON.parse(readStack(dir, 'tenant-gamma'));
    expect(stack.resource).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'tenants/gamma.json'), 'utf8'))).toMatchObject({ status: 'removed', purgeData: false });
    expect((await cli(['tenant', 'list', '--dir', dir])).stdout).toMatch(/^gamma\s+standard\s+removed/m);
  });

  it('--purge-data needs confirmation in a non-interactive run and changes nothing without it', async () => {
    const before = snapshotTree(dir);
    const res = await cli(['tenant', 'remove', 'beta', '--purge-data', '--dir', dir]);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--yes/);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('--purge-data --yes adds the drop job to the emptied stack', async () => {
    expect((await cli(['tenant', 'remove', 'beta', '--purge-data', '--yes', '--dir', dir])).status).toBe(0);
    const stack = JSON.parse(readStack(dir, 'tenant-beta'));
    const jobs = Object.values(stack.resource.kubernetes_job_v1) as any[];
    expect(jobs).toHaveLength(1);
    expect(JSON.stringify(jobs[0])).toContain('tenantctl-system');
    expect(stack.resource.kubernetes_namespace_v1).toBeUndefined();
  });
});

describe('concurrent tenant add', () => {
  const dir = initProject();
  it('two runs at once both land; nothing is lost or corrupted', async () => {
    const run = (id: string) =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [cliPath, 'tenant', 'add', id, '--tier', 'starter', '--quiet', '--dir', dir], {
          env: { ...process.env, CI: 'true' },
          stdio: 'ignore',
        });
        child.on('exit', (code) => resolve(code ?? -1));
      });
    const codes = await Promise.all([run('one'), run('two'), run('three')]);
    expect(codes).toEqual([0, 0, 0]);
    expect(manifestStacks(dir)).toEqual(['platform', 'cluster', 'tenant-one', 'tenant-three', 'tenant-two']);
    for (const id of ['one', 'two', 'three']) {
      expect(JSON.parse(fs.readFileSync(path.join(dir, `tenants/${id}.json`), 'utf8')).id).toBe(id);
      expect(JSON.parse(readStack(dir, `tenant-${id}`)).resource).toBeDefined();
    }
    expect(fs.readdirSync(path.join(dir, 'cdktf.out')).filter((f) => f.startsWith('.staging'))).toEqual([]);
  });

  // Without the lock, a synth that listed the tenants just before the add dropped the new
  // tenant's output as stale and wrote a manifest without it.
  it('a synth running during a tenant add keeps the new tenant', async () => {
    const run = (args: string[]) =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [cliPath, ...args, '--quiet', '--dir', dir], { env: { ...process.env, CI: 'true' }, stdio: 'ignore' });
        child.on('exit', (code) => resolve(code ?? -1));
      });
    expect(await Promise.all([run(['synth']), run(['tenant', 'add', 'four', '--tier', 'starter'])])).toEqual([0, 0]);
    expect(manifestStacks(dir)).toContain('tenant-four');
    expect(JSON.parse(readStack(dir, 'tenant-four')).resource).toBeDefined();
  });
});

describe('tenant commands under Terraform Cloud', () => {
  const dir = initProject();
  const newDir = scratchDirs();
  beforeAll(async () => {
    const file = path.join(dir, 'platform.json');
    const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
    cfg.terraformCloud = { organization: 'acme' };
    cfg.aws.serviceAccounts = [{ name: 'payments', accountId: '444455556666', purpose: 'payment tenants' }];
    fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
    expect((await cli(['synth', '--quiet', '--dir', dir])).status).toBe(0);
  });

  // Each bootstrap stack holds a run role per workspace that deploys into its account, tenants'
  // included: an incremental synth that skipped them would leave a new tenant without credentials.
  it('keeps every stack, bootstrap stacks included, equal to a full synth after each change', async () => {
    const steps = [
      ['tenant', 'add', 'acme', '--tier', 'starter'],
      ['tenant', 'add', 'pay', '--tier', 'starter', '--service-account', 'payments'],
      ['tenant', 'update', 'acme', '--tier', 'standard'],
      ['tenant', 'remove', 'pay'],
    ];
    for (const step of steps) {
      expect((await cli([...step, '--quiet', '--dir', dir])).status).toBe(0);
      const full = path.join(newDir(), 'out');
      expect((await cli(['synth', '--quiet', '--dir', dir, '--outdir', full])).status).toBe(0);
      expect(snapshotTree(path.join(dir, 'cdktf.out'))).toEqual(snapshotTree(full));
    }
  });
});

describe('moving a tenant to another AWS account', () => {
  const dir = initProject();
  beforeAll(async () => {
    const file = path.join(dir, 'platform.json');
    const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
    cfg.aws.serviceAccounts = [{ name: 'payments', accountId: '444455556666', purpose: 'payment tenants' }];
    fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
    expect((await cli(['tenant', 'add', 'acme', '--tier', 'starter', '--no-synth', '--dir', dir])).status).toBe(0);
  });

  it('is refused with the way to do it, and changes nothing (its resources cannot follow)', async () => {
    const before = snapshotTree(dir);
    const res = await cli(['tenant', 'update', 'acme', '--service-account', 'payments', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('tenant acme lives in account platform: a tenant cannot move to another AWS account');
    expect(res.stderr).toContain('Remove it (tenant remove acme), apply, and add it under a new id with --service-account payments.');
    expect(snapshotTree(dir)).toEqual(before);
  });
});

describe('synth --outdir', () => {
  const dir = initProject();
  const newDir = scratchDirs();
  it('is relative to the working directory, like --dir', async () => {
    const cwd = newDir();
    expect((await cli(['synth', '--quiet', '--dir', dir, '--outdir', 'out'], { cwd })).status).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'out/stacks/platform/cdk.tf.json'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });
});
