import { Testing } from 'cdktf';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { resolveTenant } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { validateManifest } from '../../src/manifests/schema';
import { ClusterStack } from '../../stacks/cluster-stack';
import { PlatformStack } from '../../stacks/platform-stack';
import { tenantNamespaceAdmissionSpec } from '../../stacks/constructs/kubernetes/tenant-namespace-admission';
import { TenantStack } from '../../stacks/tenant-stack';
import { admits, type AdmissionRequest } from '../cel';
import { platformSpec, SynthJson } from '../util';

const platform = platformSpec({
  aws: { region: 'eu-west-1', accountId: '111122223333' },
  terraformCloud: { organization: 'acme-corp' },
} as Partial<PlatformConfig>);
const tiers = resolveTiers();
const spec = tenantNamespaceAdmissionSpec(platform);
const acme = resolveTenant(tenantSchema.parse({ version: 1, id: 'acme', tier: 'enterprise' }), platform, tiers, 'acme.json');
const tenantJson = SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant: acme })));
const manifest = (kind: string) => structuredClone(tenantJson.where('kubernetes_manifest', (m) => m.manifest.kind === kind)[0].manifest);
const namespaceObject = { metadata: { name: 'tenant-acme', labels: { 'tenantctl.io/tenant': 'acme', 'tenantctl.io/tier': 'enterprise' } } };

/** Who writes in the tenant's namespace. */
const WRITERS = {
  serviceAccount: {
    username: 'system:serviceaccount:tenant-acme:app',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:tenant-acme', 'system:authenticated'],
  },
  tenantAdmin: { username: 'arn:aws:sts::111122223333:assumed-role/acme-admins/jane', groups: ['tenant-acme-admins', 'system:authenticated'] },
  pipeline: {
    username: 'arn:aws:sts::111122223333:assumed-role/acme-prod-tfc-tenant-acme/run',
    groups: ['tenantctl:tenant-deployers', 'tenantctl:tenant:acme', 'system:authenticated'],
  },
  operator: { username: 'arn:aws:sts::111122223333:assumed-role/ops/alice', groups: ['tenantctl:platform-operators', 'system:authenticated'] },
  namespaceController: {
    username: 'system:serviceaccount:kube-system:namespace-controller',
    groups: ['system:serviceaccounts', 'system:authenticated'],
  },
} as const;

const request = (
  writer: keyof typeof WRITERS,
  group: string,
  resource: string,
  object: any,
  operation: AdmissionRequest['operation'] = 'CREATE',
): AdmissionRequest => ({
  operation,
  group,
  resource,
  namespace: 'tenant-acme',
  name: object?.metadata?.name ?? 'x',
  ...WRITERS[writer],
  object,
  namespaceObject,
});

describe('GIVEN the admission policy of every write in a tenant namespace', () => {
  test('THEN it is in the cluster stack once, bound with Deny, for every namespace with the tenant label, and valid against the API schema', () => {
    const cluster = SynthJson.parse(Testing.synth(new ClusterStack(Testing.app(), { platform, tiers })));
    const manifests = cluster.where('kubernetes_manifest', (m) => m.manifest.metadata.name === 'tenantctl-tenant-namespaces').map((m) => m.manifest);
    expect(manifests.map((m) => m.kind).sort()).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    for (const m of manifests) expect(validateManifest(m)).toBeUndefined();
    expect(manifests.find((m) => m.kind === 'ValidatingAdmissionPolicy').spec.matchConstraints.namespaceSelector).toEqual({
      matchExpressions: [{ key: 'tenantctl.io/tenant', operator: 'Exists' }],
    });
  });

  test("THEN every cluster admin tenantctl grants carries the operators' group the policy lets through", () => {
    const withAdmin = platformSpec({
      aws: { region: 'eu-west-1', accountId: '111122223333' },
      eks: { adminPrincipalArns: ['arn:aws:iam::111122223333:role/ops'] },
    } as Partial<PlatformConfig>);
    for (const p of [platform, withAdmin]) {
      const json = SynthJson.parse(Testing.synth(new PlatformStack(Testing.app(), { platform: p })));
      const entries = json.where('aws_eks_access_entry', () => true);
      expect(entries.length).toBeGreaterThan(0);
      for (const e of entries) expect(e.kubernetes_groups).toEqual(['tenantctl:platform-operators']);
    }
  });

  test("THEN the tenant's own mesh objects and scheduling policy, as its stack writes them, are admitted from whoever writes them", () => {
    const resources = {
      VirtualService: 'virtualservices',
      DestinationRule: 'destinationrules',
      ServiceEntry: 'serviceentries',
      EnvoyFilter: 'envoyfilters',
    };
    for (const [kind, resource] of Object.entries(resources)) {
      expect({ kind, admitted: admits(spec, request('serviceAccount', 'networking.istio.io', resource, manifest(kind))) }).toEqual({
        kind,
        admitted: true,
      });
    }
    expect(admits(spec, request('pipeline', 'kyverno.io', 'policies', manifest('Policy')))).toBe(true);
  });

  test.each([
    ['a service account', 'serviceAccount'],
    ['a tenant admin', 'tenantAdmin'],
  ] as const)('THEN %s may not write the ResourceQuota, which only the pipeline (entitled) and the platform write', (_what, writer) => {
    const quota = { metadata: { name: 'tenant-quota', namespace: 'tenant-acme' }, spec: { hard: { 'requests.cpu': '1000' } } };
    expect(admits(spec, request(writer, '', 'resourcequotas', quota, 'UPDATE'))).toBe(false);
    expect(admits(spec, request(writer, '', 'resourcequotas', null, 'DELETE'))).toBe(false);
    expect(admits(spec, request('pipeline', '', 'resourcequotas', quota, 'UPDATE'))).toBe(true);
    expect(admits(spec, request('operator', '', 'resourcequotas', quota, 'UPDATE'))).toBe(true);
    expect(admits(spec, request('namespaceController', '', 'resourcequotas', null, 'DELETE'))).toBe(true);
  });

  test("THEN the deployer ClusterRole is bound to the tenant's pipeline group only, never to a service account", () => {
    const binding = (subjects: any[]) => ({
      metadata: { name: 'b' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tenantctl:tenant-deployer' },
      subjects,
    });
    expect(
      admits(
        spec,
        request(
          'pipeline',
          'rbac.authorization.k8s.io',
          'rolebindings',
          binding([{ kind: 'Group', name: 'tenantctl:tenant:acme', apiGroup: 'rbac.authorization.k8s.io' }]),
        ),
      ),
    ).toBe(true);
    expect(
      admits(
        spec,
        request(
          'pipeline',
          'rbac.authorization.k8s.io',
          'rolebindings',
          binding([{ kind: 'ServiceAccount', name: 'app', namespace: 'tenant-acme' }]),
        ),
      ),
    ).toBe(false);
    expect(
      admits(
        spec,
        request(
          'pipeline',
          'rbac.authorization.k8s.io',
          'rolebindings',
          binding([{ kind: 'Group', name: 'tenantctl:tenant:globex', apiGroup: 'rbac.authorization.k8s.io' }]),
        ),
      ),
    ).toBe(false);
    const admin = {
      metadata: { name: 'admins' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-admin' },
      subjects: [{ kind: 'Group', name: 'tenant-acme-admins' }],
    };
    expect(admits(spec, request('pipeline', 'rbac.authorization.k8s.io', 'rolebindings', admin))).toBe(true);
  });

  test("THEN a service account of the namespace cannot write what the pipeline may not: another tenant's route, a ServiceEntry for everyone", () => {
    const vs = manifest('VirtualService');
    vs.spec.http.find((h: any) => h.route).route[0].destination.host = 'gateway.tenant-globex.svc.cluster.local';
    expect(admits(spec, request('serviceAccount', 'networking.istio.io', 'virtualservices', vs))).toBe(false);
    const se = manifest('ServiceEntry');
    se.spec.exportTo = ['*'];
    expect(admits(spec, request('serviceAccount', 'networking.istio.io', 'serviceentries', se))).toBe(false);
  });

  test('THEN a Kyverno Policy that reads through Kyverno (context), generates or validates is denied', () => {
    const withRule = (rule: any) => {
      const p = manifest('Policy');
      p.spec.rules.push({ name: 'x', match: p.spec.rules[0].match, ...rule });
      return p;
    };
    for (const rule of [
      { context: [{ name: 'cm', apiCall: { urlPath: '/api/v1/namespaces/tenant-globex/configmaps' } }], mutate: { patchStrategicMerge: {} } },
      { generate: { kind: 'ResourceQuota', name: 'q', namespace: 'tenant-acme', data: {} } },
      { validate: { message: '{{ cm }}', deny: {} } },
      { mutate: { targets: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }], patchStrategicMerge: {} } },
    ]) {
      expect({ rule: Object.keys(rule), admitted: admits(spec, request('pipeline', 'kyverno.io', 'policies', withRule(rule))) }).toEqual({
        rule: Object.keys(rule),
        admitted: false,
      });
    }
  });

  test("THEN a Service with external IPs is denied (kube-proxy would capture every pod's traffic to them)", () => {
    const svc = (externalIPs?: string[]) => ({
      metadata: { name: 'gateway' },
      spec: { ports: [{ port: 8080 }], ...(externalIPs ? { externalIPs } : {}) },
    });
    expect(admits(spec, request('tenantAdmin', '', 'services', svc()))).toBe(true);
    expect(admits(spec, request('tenantAdmin', '', 'services', svc(['10.0.1.10'])))).toBe(false);
  });
});
