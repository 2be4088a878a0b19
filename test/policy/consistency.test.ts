import type { ConfigSnapshot } from '../../src/policy/types';
import { addressOf, baseline, findingsOf, tenantStack, triples } from './fixtures';

const NS = 'kubernetes_namespace_v1.namespace_namespace_67941C3A';
const VS = 'kubernetes_manifest.mesh_virtual-service_C70A7B50';
const config = (tenants: ConfigSnapshot['tenants']): ConfigSnapshot => ({ tiers: ['starter', 'standard', 'enterprise'], tenants, suppressions: [] });

describe("TC-CON-001 every tenant's tier exists", () => {
  test('GIVEN tenants on stock tiers THEN it passes', () => {
    const b = baseline();
    expect(findingsOf([b.platform, b.acme], { config: config([{ id: 'acme', tier: 'enterprise', file: 'tenants/acme.json' }]) })).toEqual([]);
  });

  test('GIVEN a tenant file naming an unknown tier THEN it names the tenant file', () => {
    const b = baseline();
    const findings = findingsOf([b.platform, b.acme], { config: config([{ id: 'acme', tier: 'gold', file: 'tenants/acme.json' }]) });
    expect(triples(findings)).toEqual([['TC-CON-001', 'tenant-acme', 'tenants/acme.json']]);
    expect(findings[0].file).toBe('tenants/acme.json');
    expect(findings[0].message).toContain('"gold"');
  });
});

describe('uniqueness across tenants', () => {
  test('GIVEN two tenants in one namespace THEN TC-CON-002 names both namespaces', () => {
    const b = baseline();
    const globex = tenantStack('globex', { namespace: 'tenant-acme' });
    expect(triples(findingsOf([b.platform, b.acme, globex]))).toEqual([
      ['TC-CON-002', 'tenant-acme', NS],
      ['TC-CON-002', 'tenant-globex', NS],
    ]);
  });

  test("GIVEN two tenants connecting as one database role THEN TC-CON-003 names every policy (and TC-ISO-010 the intruder's)", () => {
    const b = baseline();
    const globex = tenantStack('globex', { dbUser: 'tenant_acme' });
    const findings = findingsOf([b.platform, b.acme, globex]);
    const policies = (s: typeof globex) => [addressOf(s, 'aws_iam_role_policy', 'identity_role_policy')];
    expect(
      findings
        .filter((f) => f.ruleId === 'TC-CON-003')
        .map((f) => `${f.stack} ${f.address}`)
        .sort(),
    ).toEqual([...policies(b.acme).map((a) => `tenant-acme ${a}`), ...policies(globex).map((a) => `tenant-globex ${a}`)]);
    // Naming another tenant's user is an isolation finding in its own right: the two always come together.
    expect(new Set(findings.filter((f) => f.ruleId !== 'TC-CON-003').map((f) => `${f.ruleId} ${f.stack}`))).toEqual(
      new Set(['TC-ISO-010 tenant-globex']),
    );
  });

  test('GIVEN two tenants on one host THEN TC-CON-004 names both virtual services', () => {
    const b = baseline();
    const globex = tenantStack('globex', { host: 'acme.saas.example.com' });
    expect(triples(findingsOf([b.platform, b.acme, globex]))).toEqual([
      ['TC-CON-004', 'tenant-acme', VS],
      ['TC-CON-004', 'tenant-globex', VS],
    ]);
  });

  test('GIVEN tenants sharing the * host THEN distinct path prefixes pass and equal ones fire', () => {
    const shared = (id: string, prefix: string) => {
      const s = tenantStack(id, { host: '*' });
      s.json.resource.kubernetes_manifest['mesh_virtual-service_C70A7B50'].manifest.spec.http[0].match = [{ uri: { prefix } }];
      return s;
    };
    expect(findingsOf([shared('acme', '/acme/'), shared('globex', '/globex/')])).toEqual([]);
    expect(triples(findingsOf([shared('acme', '/acme/'), shared('globex', '/acme/')])).map((t) => t[0])).toEqual(['TC-CON-004', 'TC-CON-004']);
  });

  test('GIVEN two stacks with one local state file THEN TC-CON-005 names both backends', () => {
    const b = baseline();
    b.globex.json.terraform.backend.local.path = '../../../state/tenant-acme/terraform.tfstate';
    expect(triples(findingsOf([b.platform, b.acme, b.globex]))).toEqual([
      ['TC-CON-005', 'tenant-acme', 'terraform.backend.local'],
      ['TC-CON-005', 'tenant-globex', 'terraform.backend.local'],
    ]);
  });

  test('GIVEN two stacks in one Terraform Cloud workspace THEN TC-CON-005 fires, and distinct workspaces pass', () => {
    const b = baseline();
    const cloud = (name: string) => ({ cloud: { organization: 'acme', workspaces: { name } } });
    b.acme.json.terraform = cloud('acme-prod-tenant-acme');
    b.globex.json.terraform = cloud('acme-prod-tenant-globex');
    expect(findingsOf([b.acme, b.globex])).toEqual([]);
    b.globex.json.terraform = cloud('acme-prod-tenant-acme');
    expect(triples(findingsOf([b.acme, b.globex]))).toEqual([
      ['TC-CON-005', 'tenant-acme', 'terraform.cloud'],
      ['TC-CON-005', 'tenant-globex', 'terraform.cloud'],
    ]);
  });

  test('GIVEN the workspaces stack declares one workspace twice THEN TC-CON-005 names both', () => {
    const workspaces = {
      name: 'workspaces',
      json: {
        resource: {
          tfe_workspace: { a: { name: 'acme-prod-platform', organization: 'acme' }, b: { name: 'acme-prod-platform', organization: 'acme' } },
        },
      },
    };
    expect(triples(findingsOf([workspaces]))).toEqual([
      ['TC-CON-005', 'workspaces', 'tfe_workspace.a'],
      ['TC-CON-005', 'workspaces', 'tfe_workspace.b'],
    ]);
  });
});

describe('TC-CON-006 quotas of dedicated tenants fit their node group', () => {
  const NODE_GROUP = 'aws_eks_node_group.nodes_node-group_ABCDEF01';

  test('GIVEN 16 CPU / 32Gi on up to 4 m6i.2xlarge (32 vCPU / 128 GiB) THEN it passes', () => {
    expect(findingsOf([tenantStack('globex', { nodeGroup: { instanceType: 'm6i.2xlarge', maxSize: 4 } })])).toEqual([]);
  });

  test('GIVEN 16 CPU / 32Gi on up to 2 m6i.large (4 vCPU / 16 GiB) THEN it names the node group', () => {
    const findings = findingsOf([tenantStack('globex', { nodeGroup: { instanceType: 'm6i.large', maxSize: 2 } })]);
    expect(triples(findings)).toEqual([['TC-CON-006', 'tenant-globex', NODE_GROUP]]);
    expect(findings[0].severity).toBe('error');
    expect(findings[0].message).toContain('16 CPU > 4 vCPU');
  });

  test('GIVEN an instance type of unknown size THEN it warns', () => {
    const findings = findingsOf([tenantStack('globex', { nodeGroup: { instanceType: 'x9z.mega', maxSize: 4 } })]);
    expect(triples(findings)).toEqual([['TC-CON-006', 'tenant-globex', NODE_GROUP]]);
    expect(findings[0].severity).toBe('warning');
  });
});
