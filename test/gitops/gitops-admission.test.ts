import { Testing } from 'cdktf';
import { platformNames } from '../../src/model/names';
import type { TenantSpec } from '../../src/model/project';
import { tenantEntitlementGroups } from '../../src/model/tenant-quota';
import { resolveTiers } from '../../src/model/tiers';
import { ClusterStack } from '../../stacks/cluster-stack';
import { MANAGE, admissionPolicySpec } from '../../stacks/constructs/kubernetes/tenant-deployer-access';
import { TenantStack } from '../../stacks/tenant-stack';
import { admits, type AdmissionRequest } from '../cel';
import { SynthJson } from '../util';
import { catalogPlatform, catalogTenant } from './fixtures';

const platform = catalogPlatform({ terraformCloud: { organization: 'acme' } });
const spec = admissionPolicySpec(platform);
const acme = catalogTenant(platform, { id: 'acme', tier: 'standard' });
const acmeX = catalogTenant(platform, { id: 'acme-x', tier: 'standard' });

const groups = (t: TenantSpec) => [
  'tenantctl:tenant-deployers',
  `tenantctl:tenant:${t.id}`,
  ...tenantEntitlementGroups(platformNames(platform), t.tier, t.tierSpec),
];
const argoObjects = (t: TenantSpec) =>
  Object.values(SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant: t }))).resources('kubernetes_manifest'))
    .map((r: any) => r.manifest)
    .filter((m: any) => m.kind === 'AppProject' || m.kind === 'Application');
const request = (m: any, by: TenantSpec, operation: AdmissionRequest['operation'] = 'CREATE', object: any = m): AdmissionRequest => ({
  operation,
  group: 'argoproj.io',
  resource: m.kind === 'AppProject' ? 'appprojects' : 'applications',
  namespace: m.metadata.namespace,
  name: m.metadata.name,
  groups: groups(by),
  object: operation === 'DELETE' ? null : object,
});
const edited = (m: any, edit: (copy: any) => void) => {
  const copy = JSON.parse(JSON.stringify(m));
  edit(copy);
  return copy;
};

describe('GIVEN the cluster stack with GitOps under Terraform Cloud', () => {
  const json = SynthJson.parse(Testing.synth(new ClusterStack(Testing.app(), { platform, tiers: resolveTiers() })));
  test("THEN tenant pipelines may manage AppProjects and Applications in Argo CD's namespace, which admission checks", () => {
    const role = json.where('kubernetes_role_v1', (r) => r.metadata.namespace === 'argocd')[0];
    expect(role.rule).toEqual([{ api_groups: ['argoproj.io'], resources: ['appprojects', 'applications'], verbs: MANAGE }]);
    const binding = json.where('kubernetes_role_binding_v1', (r) => r.metadata.namespace === 'argocd')[0];
    expect(binding.subject).toEqual([{ api_group: 'rbac.authorization.k8s.io', kind: 'Group', name: 'tenantctl:tenant-deployers' }]);
    expect((spec.matchConstraints as any).resourceRules).toContainEqual({
      apiGroups: ['argoproj.io'],
      apiVersions: ['*'],
      operations: ['CREATE', 'UPDATE', 'DELETE'],
      resources: ['appprojects', 'applications'],
    });
  });
});

describe("GIVEN a tenant's AppProject and Applications", () => {
  const objects = argoObjects(acme);
  const project = objects.find((m) => m.kind === 'AppProject');
  const app = objects.find((m) => m.kind === 'Application');

  test('THEN its own pipeline may write and delete them, as its stack writes them', () => {
    for (const m of objects)
      for (const op of ['CREATE', 'UPDATE', 'DELETE'] as const)
        expect({ name: m.metadata.name, op, admitted: admits(spec, request(m, acme, op)) }).toEqual({ name: m.metadata.name, op, admitted: true });
  });

  test("THEN another tenant's pipeline may neither write nor delete them, not even a tenant whose id extends this one's", () => {
    for (const m of objects) for (const op of ['CREATE', 'DELETE'] as const) expect(admits(spec, request(m, acmeX, op))).toBe(false);
    for (const m of argoObjects(acmeX)) expect(admits(spec, request(m, acme))).toBe(false);
  });

  test('THEN an AppProject cannot deploy into another namespace or another cluster', () => {
    const denied = [
      (p: any) => p.spec.destinations.push({ server: 'https://kubernetes.default.svc', namespace: 'tenant-other' }),
      (p: any) => (p.spec.destinations[0].namespace = '*'),
      (p: any) => (p.spec.destinations[0].server = 'https://other-cluster.example.com'),
      (p: any) => (p.spec.destinations[0] = { name: 'in-cluster', namespace: 'tenant-acme' }),
      (p: any) => (p.spec.destinations = []),
    ];
    for (const edit of denied) expect(admits(spec, request(project, acme, 'UPDATE', edited(project, edit)))).toBe(false);
  });

  test('THEN an AppProject cannot allow a cluster-scoped object or lift the deny of an isolation kind', () => {
    const denied = [
      (p: any) => (p.spec.clusterResourceWhitelist = [{ group: '*', kind: '*' }]),
      (p: any) => (p.spec.clusterResourceWhitelist = [{ group: '', kind: 'Namespace' }]),
      (p: any) => (p.spec.sourceNamespaces = ['tenant-acme']),
      (p: any) => delete p.spec.namespaceResourceBlacklist,
      ...['ResourceQuota', 'LimitRange', 'NetworkPolicy', 'Role', 'RoleBinding'].map(
        (kind) => (p: any) => (p.spec.namespaceResourceBlacklist = p.spec.namespaceResourceBlacklist.filter((k: any) => k.kind !== kind)),
      ),
      ...['security.istio.io', 'networking.istio.io', 'kyverno.io'].map(
        (group) => (p: any) => (p.spec.namespaceResourceBlacklist = p.spec.namespaceResourceBlacklist.filter((k: any) => k.group !== group)),
      ),
    ];
    for (const edit of denied) expect(admits(spec, request(project, acme, 'UPDATE', edited(project, edit)))).toBe(false);
    expect(
      admits(
        spec,
        request(
          project,
          acme,
          'UPDATE',
          edited(project, (p) => delete p.spec.clusterResourceWhitelist),
        ),
      ),
    ).toBe(true);
  });

  test("THEN an Application cannot use another tenant's project or deploy elsewhere", () => {
    const denied = [
      (a: any) => (a.spec.project = 'tenant-acme-x'),
      (a: any) => (a.spec.project = 'default'),
      (a: any) => (a.spec.destination.namespace = 'tenant-acme-x'),
      (a: any) => (a.spec.destination.namespace = 'kube-system'),
      (a: any) => (a.spec.destination = { name: 'in-cluster', namespace: 'tenant-acme' }),
    ];
    for (const edit of denied) expect(admits(spec, request(app, acme, 'UPDATE', edited(app, edit)))).toBe(false);
    expect(
      admits(
        spec,
        request(
          app,
          acme,
          'UPDATE',
          edited(app, (a) => (a.spec.source.helm.valuesObject.image.tag = '2.0.0')),
        ),
      ),
    ).toBe(true);
  });

  test('THEN a pipeline may add no AppProject or Application under a name that is not its own', () => {
    expect(
      admits(
        spec,
        request(
          edited(project, (p) => (p.metadata.name = 'tenant-acme-2')),
          acme,
        ),
      ),
    ).toBe(false);
    expect(
      admits(
        spec,
        request(
          edited(app, (a) => (a.metadata.name = 'tenant-acme-x--project')),
          acme,
        ),
      ),
    ).toBe(false);
    expect(
      admits(
        spec,
        request(
          edited(app, (a) => (a.metadata.name = 'tenant-acme--billing')),
          acme,
        ),
      ),
    ).toBe(true);
  });
});
