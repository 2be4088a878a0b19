import * as fs from 'fs';
import * as path from 'path';
import { cli, scratchDirs, type CliResult } from './helpers';
import { terraformStub } from './terraform-stub';

/**
 * Every command that synthesizes a Terraform Cloud project (where cdktf would check the local
 * terraform binary once per stack) runs with a `terraform` on PATH that fails and records calls.
 */
describe('GIVEN a Terraform Cloud project and no usable terraform binary', () => {
  const scratch = scratchDirs();
  const dir = scratch();
  const stub = terraformStub(scratch());
  const run = (...args: string[]) => cli([...args, '--dir', dir], { env: { PATH: stub.path } });
  const steps: [string, string[]][] = [
    [
      'init platform',
      [
        'init',
        'platform',
        '--yes',
        '--account-id',
        '111122223333',
        '--tfc-organization',
        'acme-corp',
        '--service-account',
        'payments=222233334444:Payments',
      ],
    ],
    ['tenant add', ['tenant', 'add', 'acme', '--tier', 'enterprise']],
    ['tenant add in a service account', ['tenant', 'add', 'globex', '--tier', 'starter', '--service-account', 'payments']],
    ['tenant remove', ['tenant', 'remove', 'globex']],
    ['synth', ['synth']],
    ['validate', ['validate']],
  ];

  describe.each(steps)('WHEN %s runs', (_, args) => {
    let result: CliResult;
    beforeAll(async () => {
      result = await run(...args);
    });

    test('THEN it succeeds without an error', () => {
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    test('THEN terraform was never called', () => {
      expect(stub.calls()).toEqual([]);
    });
  });

  test('THEN every stack of the project is synthesized', () => {
    const stacks = fs.readdirSync(path.join(dir, 'cdktf.out/stacks')).sort();
    expect(stacks).toEqual(['bootstrap-payments', 'bootstrap-platform', 'cluster', 'platform', 'tenant-acme', 'tenant-globex', 'workspaces']);
    const tenant = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/stacks/tenant-acme/cdk.tf.json'), 'utf8'));
    expect(tenant.terraform.cloud).toEqual({
      hostname: 'app.terraform.io',
      organization: 'acme-corp',
      workspaces: { name: 'saas-prod-tenant-acme', project: 'saas-prod-platform' },
    });
  });
});
