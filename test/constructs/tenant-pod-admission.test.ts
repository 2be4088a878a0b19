import { Testing, TerraformStack } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { resolveTiers } from '../../src/model/tiers';
import { validateManifest } from '../../src/manifests/schema';
import { TenantPodAdmission, tenantPodAdmissionSpec } from '../../stacks/constructs/kubernetes/tenant-pod-admission';
import { admits } from '../cel';
import { platformSpec, SynthJson } from '../util';

const platform = platformSpec();
const tiers = resolveTiers();
const spec = tenantPodAdmissionSpec(platform, tiers);

const namespace = (tenant: string, tier?: string) => ({
  metadata: { name: `tenant-${tenant}`, labels: { 'tenantctl.io/tenant': tenant, ...(tier ? { 'tenantctl.io/tier': tier } : {}) } },
});
/** Tolerations the API server adds to every Pod (DefaultTolerationSeconds). */
const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];
/** A Pod as the tenant's scheduling policy leaves it. */
const enterprisePod = () => ({
  metadata: { name: 'gateway-1', namespace: 'tenant-acme' },
  spec: {
    priorityClassName: 'tenant-enterprise',
    priority: 100000,
    nodeSelector: { 'tenantctl.io/tenant': 'acme' },
    tolerations: [{ key: 'tenantctl.io/tenant', operator: 'Equal', value: 'acme', effect: 'NoSchedule' }, ...DEFAULT_TOLERATIONS],
    containers: [{ name: 'app', image: 'app' }],
  },
});
const starterPod = () => ({
  metadata: { name: 'web-1', namespace: 'tenant-beta' },
  spec: {
    priorityClassName: 'tenant-starter',
    priority: 1000,
    nodeSelector: { 'tenantctl.io/pool': 'tenants' },
    tolerations: [...DEFAULT_TOLERATIONS],
    containers: [{ name: 'app', image: 'app' }],
  },
});
const admitted = (pod: any, ns: any, operation: 'CREATE' | 'UPDATE' = 'CREATE') =>
  admits(spec, {
    operation,
    group: '',
    resource: 'pods',
    namespace: ns.metadata.name,
    name: pod.metadata.name,
    groups: ['system:serviceaccounts:kube-system'],
    object: pod,
    namespaceObject: ns,
  });
const edited = (pod: any, edit: (p: any) => void) => {
  const copy = JSON.parse(JSON.stringify(pod));
  edit(copy.spec);
  return copy;
};

describe('GIVEN the platform admission policy of tenant pods', () => {
  test('THEN it is one policy for every namespace with the tenant label, bound with Deny, valid against the API schema', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new KubernetesProvider(stack, 'kubernetes', {});
    new TenantPodAdmission(stack, 'tenant-pods', { platform, tiers });
    const manifests = SynthJson.parse(Testing.synth(stack))
      .where('kubernetes_manifest', () => true)
      .map((m: any) => m.manifest)
      .sort((a: any, b: any) => a.kind.localeCompare(b.kind));
    expect(manifests.map((m: any) => [m.kind, m.metadata.name])).toEqual([
      ['ValidatingAdmissionPolicy', 'tenantctl-tenant-pods'],
      ['ValidatingAdmissionPolicyBinding', 'tenantctl-tenant-pods'],
    ]);
    expect(manifests[1].spec).toEqual({ policyName: 'tenantctl-tenant-pods', validationActions: ['Deny'] });
    expect(manifests[0].spec.failurePolicy).toBe('Fail');
    expect(manifests[0].spec.matchConstraints).toEqual({
      namespaceSelector: { matchExpressions: [{ key: 'tenantctl.io/tenant', operator: 'Exists' }] },
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] }],
    });
    for (const m of manifests) expect(validateManifest(m)).toBeUndefined();
  });

  test('THEN the pods the tenant scheduling policy leaves are admitted, whoever creates them', () => {
    expect(admitted(enterprisePod(), namespace('acme', 'enterprise'))).toBe(true);
    expect(admitted(starterPod(), namespace('beta', 'starter'))).toBe(true);
    expect(
      admitted(
        edited(starterPod(), (s) => (s.priorityClassName = 'tenant-standard')),
        namespace('beta', 'standard'),
      ),
    ).toBe(true);
  });

  test.each([
    ["the platform's PriorityClass", (s: any) => (s.priorityClassName = 'tenantctl-platform')],
    ['system-cluster-critical', (s: any) => (s.priorityClassName = 'system-cluster-critical')],
    ['a higher tier', (s: any) => (s.priorityClassName = 'tenant-enterprise')],
    ['no PriorityClass', (s: any) => delete s.priorityClassName],
    ['no node selector', (s: any) => delete s.nodeSelector],
    ["another tenant's dedicated nodes", (s: any) => (s.nodeSelector = { 'tenantctl.io/tenant': 'acme' })],
    [
      "a toleration of the system nodes' taint",
      (s: any) => s.tolerations.push({ key: 'tenantctl.io/pool', operator: 'Equal', value: 'system', effect: 'NoSchedule' }),
    ],
    ['a toleration of the system pool by Exists', (s: any) => s.tolerations.push({ key: 'tenantctl.io/pool', operator: 'Exists' })],
    [
      "a toleration of another tenant's nodes",
      (s: any) => s.tolerations.push({ key: 'tenantctl.io/tenant', operator: 'Equal', value: 'acme', effect: 'NoSchedule' }),
    ],
    ["a toleration of every tenant's nodes", (s: any) => s.tolerations.push({ key: 'tenantctl.io/tenant', operator: 'Exists' })],
    ['a toleration of every taint', (s: any) => s.tolerations.push({ operator: 'Exists' })],
  ])('THEN a shared-tier pod is denied %s', (_case, edit) => {
    expect(admitted(edited(starterPod(), edit), namespace('beta', 'starter'))).toBe(false);
  });

  test.each([
    ['the shared tenant nodes', (s: any) => (s.nodeSelector = { 'tenantctl.io/pool': 'tenants' })],
    ["another tenant's nodes", (s: any) => (s.nodeSelector = { 'tenantctl.io/tenant': 'globex' })],
    ['a lower PriorityClass it would preempt nothing with, but not its own', (s: any) => (s.priorityClassName = 'tenant-starter')],
  ])('THEN a dedicated-tier pod is denied %s', (_case, edit) => {
    expect(admitted(edited(enterprisePod(), edit), namespace('acme', 'enterprise'))).toBe(false);
  });

  test('THEN a namespace without a tier of the catalog admits no pod', () => {
    expect(admitted(starterPod(), namespace('beta'))).toBe(false);
    expect(admitted(starterPod(), namespace('beta', 'platinum'))).toBe(false);
  });

  test('THEN on update only the tolerations are checked (priority and placement are fixed at creation)', () => {
    const legacy = edited(starterPod(), (s) => delete s.priorityClassName);
    expect(admitted(legacy, namespace('beta', 'starter'), 'UPDATE')).toBe(true);
    expect(
      admitted(
        edited(legacy, (s) => s.tolerations.push({ operator: 'Exists' })),
        namespace('beta', 'starter'),
        'UPDATE',
      ),
    ).toBe(false);
  });

  test('THEN pods of namespaces without the tenant label are not its concern', () => {
    expect(
      admitted(
        edited(starterPod(), (s) => (s.priorityClassName = 'tenantctl-platform')),
        { metadata: { name: 'monitoring', labels: {} } },
      ),
    ).toBe(true);
  });
});
