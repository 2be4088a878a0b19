/** `validate` on a Terraform Cloud project with the example service catalog in rollout waves: what `tenantctl validate` reads after synth. */
import * as fs from 'fs';
import * as path from 'path';
import type { TenantConfig } from '../../src/model/tenant-schema';
import { configOf, loadStacks, runRules } from '../../src/policy/engine';
import { allRules, runRoleHoldsOnlyItsTenant } from '../../src/policy/rules';
import type { StackDocument } from '../../src/policy/types';
import { buildApp } from '../../src/synth/app';
import { exampleCatalog } from '../gitops/fixtures';
import { tempDir } from '../util';
import { PLATFORM_ACCOUNT, tfcProject } from './tfc-project';

const waves = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'rollout-waves.json'), 'utf8'));
const TENANTS = [
  { id: 'acme', tier: 'enterprise', adminPrincipalArn: `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-admins` },
  { id: 'globex', tier: 'starter', serviceAccount: 'payments' },
  { id: 'initech', tier: 'standard' },
] as Omit<TenantConfig, 'version'>[];
const project = tfcProject(TENANTS, { ...exampleCatalog, ...waves });
const outdir = tempDir('tenantctl-tfc-catalog-');
buildApp(project, { outdir }).synth();
const synthesized = loadStacks(outdir);
const fresh = (): StackDocument[] => synthesized.map((s) => ({ ...s, json: JSON.parse(JSON.stringify(s.json)) }));
const ctx = (stacks: StackDocument[]) => ({ stacks, project, config: configOf(project) });

test('GIVEN Terraform Cloud, the example catalog and rollout waves THEN validate reports no error', () => {
  const errors = runRules(ctx(fresh()), allRules).filter((f) => f.severity === 'error');
  expect(errors).toEqual([]);
});

test("GIVEN a tenant run role that may change another tenant's service role THEN TC-PIP-001 reports it", () => {
  const stacks = fresh();
  const json = stacks.find((s) => s.name === 'bootstrap-platform')!.json as any;
  const roleId = Object.entries(json.resource.aws_iam_role).find(([, r]: [string, any]) => r.name === 'acme-prod-tfc-tenant-acme')![0];
  const [id, body] = Object.entries(json.resource.aws_iam_role_policy).find(
    ([, p]: [string, any]) => p.role === `\${aws_iam_role.${roleId}.name}`,
  )! as [string, any];
  const foreign = `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tenant-initech--project`;
  const statements = [
    ...JSON.parse(body.policy).Statement,
    { Sid: 'Foreign', Effect: 'Allow', Action: ['iam:UpdateAssumeRolePolicy'], Resource: [foreign] },
  ];
  body.policy = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const findings = runRules(ctx(stacks), [runRoleHoldsOnlyItsTenant]);
  expect(findings.map((f) => [f.address, f.message.includes(foreign)])).toEqual([[`aws_iam_role_policy.${id}`, true]]);
});
