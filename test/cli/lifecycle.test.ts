import * as fs from 'fs';
import * as path from 'path';
import { copyFixture } from '../setup/fixture-projects';
import { cli, scratchDirs, snapshotTree } from './helpers';

/** A tenant's whole lifecycle through the CLI: add, remove, apply (its state emptied), finalize. */
const newDir = scratchDirs('tenantctl-lifecycle-');

function project(extra: Record<string, unknown> = {}): string {
  const dir = copyFixture('configOnly', newDir());
  if (Object.keys(extra).length) {
    const file = path.join(dir, 'platform.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), ...extra }, null, 2));
  }
  return dir;
}
const ok = async (args: string[]) => {
  const res = await cli(args);
  if (res.status !== 0) throw new Error(`${args.join(' ')}: ${res.stderr}`);
  return res;
};
const writeState = (dir: string, stack: string, resources: unknown[]) => {
  fs.mkdirSync(path.join(dir, 'state', stack), { recursive: true });
  fs.writeFileSync(path.join(dir, 'state', stack, 'terraform.tfstate'), JSON.stringify({ version: 4, resources }));
};

describe('GIVEN a project without Terraform Cloud and tenant beta', () => {
  const dir = project();
  beforeAll(async () => {
    await ok(['synth', '--quiet', '--dir', dir]);
    await ok(['tenant', 'add', 'beta', '--tier', 'starter', '--quiet', '--dir', dir]);
  });

  test('WHEN beta is finalized while active THEN it is refused with the steps, and nothing changes', async () => {
    const before = snapshotTree(dir);
    const res = await cli(['tenant', 'finalize', 'beta', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      'error: tenant beta is active: only a removed tenant can be finalized\n' +
        'Run `tenantctl tenant remove beta` and apply tenant-beta (that destroys its resources); then `tenantctl tenant finalize beta` ' +
        'deletes its file.\n',
    );
    expect(snapshotTree(dir)).toEqual(before);
  });

  test('WHEN beta is removed THEN the output says the file may go after the apply, through finalize', async () => {
    const res = await ok(['tenant', 'remove', 'beta', '--dir', dir]);
    expect(res.stdout.split('\n').slice(-2)).toEqual([
      'after that apply, `tenantctl tenant finalize beta` deletes tenants/beta.json; keep the file until then',
      '',
    ]);
  });

  test('WHEN beta is finalized before its removal is applied (its state still has resources) THEN it is refused', async () => {
    writeState(dir, 'tenant-beta', [
      { type: 'kubernetes_namespace_v1', name: 'ns' },
      { type: 'aws_iam_role', name: 'r' },
    ]);
    const res = await cli(['tenant', 'finalize', 'beta', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      'error: tenant-beta still holds 2 resources (state/tenant-beta/terraform.tfstate): its removal has not been applied\n' +
        'Apply tenant-beta first (e.g. `npx cdktf deploy tenant-beta`), then run `tenantctl tenant finalize beta` again.\n',
    );
    expect(fs.existsSync(path.join(dir, 'tenants', 'beta.json'))).toBe(true);
  });

  test('WHEN beta is finalized after the apply THEN its file and output are deleted and nothing is left to apply', async () => {
    writeState(dir, 'tenant-beta', []);
    const res = await ok(['tenant', 'finalize', 'beta', '--dir', dir]);
    expect(res.stdout).toBe(
      'deleted tenants/beta.json and the output of tenant-beta\n' +
        'nothing is left to apply; state/tenant-beta/ holds only its empty state and may be deleted\n' +
        'its database schema tenant_beta and rows stay, as `tenant remove` kept them\n',
    );
    expect(fs.existsSync(path.join(dir, 'tenants', 'beta.json'))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'cdktf.out', 'stacks')).sort()).toEqual(['cluster', 'platform']);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'manifest.json'), 'utf8')).stacks)).toEqual(['platform', 'cluster']);
  });
});

describe('GIVEN a tenant file deleted by hand while its local state holds resources', () => {
  const dir = project();
  beforeAll(async () => {
    await ok(['tenant', 'add', 'gone', '--tier', 'starter', '--quiet', '--dir', dir]);
    writeState(dir, 'tenant-gone', [{ type: 'kubernetes_namespace_v1', name: 'ns' }]);
    fs.rmSync(path.join(dir, 'tenants', 'gone.json'));
  });

  test.each([[['validate']], [['validate', '--from', 'cdktf.out']]])(
    'WHEN %j runs THEN it fails before any check, with the way back',
    async (args) => {
      const res = await cli([...args, '--output', 'json'], { cwd: dir });
      expect(res.status).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toBe(
        'error: tenant file deleted while its stack still has resources:\n' +
          '  - tenants/gone.json is gone, but tenant gone was not removed first: state/tenant-gone/terraform.tfstate holds 1 resource\n' +
          'Without its file a tenant stack is no longer planned, and its namespace, IAM roles and nodes would be left running, unmanaged.\n' +
          "Restore the file (restore tenants/gone.json), run `tenantctl tenant remove gone` and apply: that destroys the stack's resources. " +
          'Then `tenantctl tenant finalize` deletes the file.\n',
      );
    },
  );
});

describe('GIVEN Terraform Cloud and a removed tenant in a service account', () => {
  const dir = project({
    terraformCloud: { organization: 'acme-corp', agentPool: 'vpc-agents' },
    aws: {
      region: 'us-east-1',
      accountId: '111122223333',
      serviceAccounts: [{ name: 'payments', accountId: '222233334444', purpose: 'Payment services' }],
    },
  });
  const json = (stack: string) => JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
  beforeAll(async () => {
    await ok(['synth', '--quiet', '--dir', dir]);
    await ok(['tenant', 'add', 'pay', '--tier', 'starter', '--service-account', 'payments', '--quiet', '--dir', dir]);
    await ok(['tenant', 'remove', 'pay', '--quiet', '--dir', dir]);
  });

  test('THEN until finalize its workspace and run roles stay (the apply of the removed stack runs with them)', () => {
    expect(Object.keys(json('workspaces').resource.tfe_workspace)).toContain('workspace-tenant-pay');
    expect(Object.keys(json('bootstrap-payments').resource.aws_iam_role).some((id) => id.includes('tenant-pay'))).toBe(true);
  });

  test('WHEN it is finalized without --applied THEN it refuses (Terraform Cloud holds the state) and changes nothing', async () => {
    const res = await cli(['tenant', 'finalize', 'pay', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      'error: tenantctl cannot see whether the removal of tenant-pay has been applied in Terraform Cloud, and finalizing first would delete ' +
        'the workspace and run roles that apply needs\n' +
        'Once the run of workspace saas-prod-tenant-pay has destroyed its resources, run `tenantctl tenant finalize pay --applied`.\n',
    );
    expect(fs.existsSync(path.join(dir, 'tenants', 'pay.json'))).toBe(true);
  });

  test(
    'WHEN it is finalized THEN its workspace leaves the workspaces stack, its run roles leave both bootstrap stacks, and the ' + 'output says so',
    async () => {
      const res = await ok(['tenant', 'finalize', 'pay', '--applied', '--dir', dir]);
      expect(res.stdout).toBe(
        'deleted tenants/pay.json and the output of tenant-pay\n' +
          'the next apply deletes workspace saas-prod-tenant-pay (workspaces stack) and run role saas-prod-tfc-tenant-pay ' +
          '(bootstrap-payments, bootstrap-platform; with its cluster access entry in bootstrap-platform)\n' +
          'its database schema tenant_pay and rows stay, as `tenant remove` kept them\n',
      );
      expect(JSON.stringify(json('workspaces'))).not.toContain('tenant-pay');
      expect(JSON.stringify(json('bootstrap-payments'))).not.toContain('tenant-pay');
      expect(JSON.stringify(json('bootstrap-platform'))).not.toContain('tenant-pay');
      expect(fs.existsSync(path.join(dir, 'cdktf.out', 'stacks', 'tenant-pay'))).toBe(false);
    },
  );
});

describe('GIVEN validate --from an output that is not the project synth', () => {
  const dir = project();
  const other = project({ name: 'other' });
  beforeAll(async () => {
    await ok(['synth', '--quiet', '--dir', dir]);
    await ok(['tenant', 'add', 'acme', '--tier', 'starter', '--quiet', '--dir', dir]);
    await ok(['synth', '--quiet', '--dir', other]);
  });

  test('WHEN a tenant was added without synthesizing (a partial output) THEN it is refused, naming the missing stack', async () => {
    await ok(['tenant', 'add', 'late', '--tier', 'starter', '--no-synth', '--quiet', '--dir', dir]);
    const res = await cli(['validate', '--from', path.join(dir, 'cdktf.out'), '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      "error: --from cdktf.out is not this project's synth:\n  - it lacks 1 stack of the project: tenant-late\n" +
        'Synthesize the project (`tenantctl synth`) and validate that output, or leave out --from to synthesize now.\n',
    );
    fs.rmSync(path.join(dir, 'tenants', 'late.json'));
  });

  test("WHEN it is another platform's output THEN every mismatch is named", async () => {
    const res = await cli(['validate', '--from', path.join(other, 'cdktf.out'), '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      `error: --from ${path.join(other, 'cdktf.out')} is not this project's synth:\n  - it lacks 1 stack of the project: tenant-acme\n` +
        '  - stack platform was synthesized for platform other-prod as stack platform; this project is saas-prod\n' +
        '  - stack cluster was synthesized for platform other-prod as stack cluster; this project is saas-prod\n' +
        'Synthesize the project (`tenantctl synth`) and validate that output, or leave out --from to synthesize now.\n',
    );
  });
});
