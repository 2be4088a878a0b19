import { Testing } from 'cdktf';
import type { Project, TenantSpec } from '../../src/model/project';
import { resolveTenant } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { runRules } from '../../src/policy/engine';
import { nodeIdentityRules, tenantIsolationRules } from '../../src/policy/rules';
import type { StackDocument } from '../../src/policy/types';
import { PlatformStack } from '../../stacks/platform-stack';
import { TenantStack } from '../../stacks/tenant-stack';
import { platformSpec } from '../util';

/**
 * TC-NODE-001 over what tenantctl synthesizes: the platform's pools and a dedicated tenant pass;
 * each test points one node group at another pool's role and expects exactly the findings it causes.
 */

const platform = platformSpec();
const tiers = resolveTiers();
const tenants: TenantSpec[] = [
  ['acme', 'enterprise'],
  ['beta', 'starter'],
].map(([id, tier]) => resolveTenant(tenantSchema.parse({ version: 1, id, tier }), platform, tiers, `tenants/${id}.json`));
const project: Project = { dir: '/project', platform, tiers, tenants };
const synth = (stack: PlatformStack | TenantStack, name: string): StackDocument => ({ name, json: JSON.parse(Testing.synth(stack)) });
const pristine: StackDocument[] = [
  synth(new PlatformStack(Testing.app(), { platform }), 'platform'),
  ...tenants.map((tenant) => synth(new TenantStack(Testing.app(), { platform, tenant }), `tenant-${tenant.id}`)),
];
const fresh = (): StackDocument[] => pristine.map((s) => ({ name: s.name, json: JSON.parse(JSON.stringify(s.json)) }));
const stackOf = (stacks: StackDocument[], name: string) => stacks.find((s) => s.name === name)!;
const findings = (stacks: StackDocument[]) =>
  runRules({ stacks, project }, nodeIdentityRules).map((f) => ({ rule: f.ruleId, stack: f.stack, message: f.message }));
const nodeGroup = (stack: StackDocument, name: string) =>
  Object.values<any>((stack.json.resource as any).aws_eks_node_group).find((g) => g.node_group_name === name);

describe('TC-NODE-001: a node role per pool', () => {
  test('GIVEN the synthesized platform and tenants THEN nothing is reported', () => {
    expect(findings(fresh())).toEqual([]);
  });

  test("GIVEN the dedicated tenant's nodes on the system nodes' role THEN both pools' groups are reported", () => {
    const stacks = fresh();
    const tenant = stackOf(stacks, 'tenant-acme');
    const [roleId] = Object.keys((tenant.json.resource as any).aws_iam_role).filter(
      (id) => (tenant.json.resource as any).aws_iam_role[id].name === 'acme-prod-eks-node-tenant-acme',
    );
    (tenant.json.resource as any).aws_iam_role[roleId].name = 'acme-prod-eks-node';
    expect(findings(stacks)).toEqual([
      {
        rule: 'TC-NODE-001',
        stack: 'platform',
        message:
          'node group system (pool system) uses node role acme-prod-eks-node, which node groups of tenant acme use too: its nodes could register as theirs',
      },
      {
        rule: 'TC-NODE-001',
        stack: 'tenant-acme',
        message:
          'node group tenant-acme (tenant acme) uses node role acme-prod-eks-node, which node groups of pool system use too: its nodes could register as theirs',
      },
    ]);
  });

  test("GIVEN the shared tenants pool on the system nodes' role (one role for every group, as before) THEN both groups are reported", () => {
    const stacks = fresh();
    const platformStack = stackOf(stacks, 'platform');
    nodeGroup(platformStack, 'tenants').node_role_arn = nodeGroup(platformStack, 'system').node_role_arn;
    expect(findings(stacks).map((f) => f.message)).toEqual([
      'node group system (pool system) uses node role acme-prod-eks-node, which node groups of pool tenants use too: its nodes could register as theirs',
      'node group tenants (pool tenants) uses node role acme-prod-eks-node, which node groups of pool system use too: its nodes could register as theirs',
    ]);
  });

  test("GIVEN a dedicated tenant's group on a role named for another tenant THEN it is reported", () => {
    const stacks = fresh();
    nodeGroup(stackOf(stacks, 'tenant-acme'), 'tenant-acme').node_role_arn = 'arn:aws:iam::111122223333:role/acme-prod-eks-node-tenant-globex';
    expect(findings(stacks)).toEqual([
      {
        rule: 'TC-NODE-001',
        stack: 'tenant-acme',
        message:
          "node group tenant-acme of tenant acme uses node role acme-prod-eks-node-tenant-globex, not its own (<prefix>-eks-node-tenant-acme): admission will refuse its nodes' tenant claims",
      },
    ]);
  });
});

describe("TC-ISO-010 and a dedicated tenant's own node role (no Terraform Cloud: its stack creates it)", () => {
  const isolation = (stacks: StackDocument[]) =>
    runRules({ stacks, project }, tenantIsolationRules)
      .filter((f) => f.ruleId === 'TC-ISO-010')
      .map((f) => f.message);

  test('GIVEN the node policies on it THEN nothing is reported', () => {
    expect(isolation(fresh())).toEqual([]);
  });

  test('GIVEN any other managed policy on it THEN the attachment is reported', () => {
    const stacks = fresh();
    const attachments = (stackOf(stacks, 'tenant-acme').json.resource as any).aws_iam_role_policy_attachment;
    const [, first] = Object.entries<any>(attachments)[0];
    attachments.extra = { ...first, policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' };
    expect(isolation(stacks)).toEqual(['attaches arn:aws:iam::aws:policy/AdministratorAccess, a policy the tenant stack does not define']);
  });
});
