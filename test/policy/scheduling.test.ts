import { Testing } from 'cdktf';
import type { Project, TenantSpec } from '../../src/model/project';
import { resolveTenant } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { runRules } from '../../src/policy/engine';
import { meshEgressRules, schedulingRules } from '../../src/policy/rules';
import type { StackDocument } from '../../src/policy/types';
import { ClusterStack } from '../../stacks/cluster-stack';
import { PlatformStack } from '../../stacks/platform-stack';
import { TenantStack } from '../../stacks/tenant-stack';
import { platformSpec } from '../util';

/**
 * The scheduling and egress rules over what tenantctl synthesizes: a platform, its cluster
 * layer and a tenant of each stock tier pass; each test breaks one thing and expects exactly
 * the finding it causes.
 */

const platform = platformSpec();
const tiers = resolveTiers();
const tenants: TenantSpec[] = [
  ['beta', 'starter'],
  ['gamma', 'standard'],
  ['acme', 'enterprise'],
].map(([id, tier]) => resolveTenant(tenantSchema.parse({ version: 1, id, tier }), platform, tiers, `tenants/${id}.json`));
const project: Project = { dir: '/project', platform, tiers, tenants };

const synth = (stack: PlatformStack | ClusterStack | TenantStack, name: string): StackDocument => ({ name, json: JSON.parse(Testing.synth(stack)) });
const pristine: StackDocument[] = [
  synth(new PlatformStack(Testing.app(), { platform }), 'platform'),
  synth(new ClusterStack(Testing.app(), { platform, tiers }), 'cluster'),
  ...tenants.map((tenant) => synth(new TenantStack(Testing.app(), { platform, tenant }), `tenant-${tenant.id}`)),
];

/** A deep copy to break. */
const fresh = (): StackDocument[] => pristine.map((s) => ({ name: s.name, json: JSON.parse(JSON.stringify(s.json)) }));
const stackOf = (stacks: StackDocument[], name: string) => stacks.find((s) => s.name === name)!;
const rules = [...schedulingRules, ...meshEgressRules];
const findings = (stacks: StackDocument[]) =>
  runRules({ stacks, project }, rules).map((f) => ({ rule: f.ruleId, stack: f.stack, severity: f.severity, message: f.message }));

/** The only resource of a type matching a predicate, as [logical id, body]. */
function only(stack: StackDocument, type: string, predicate: (r: any) => boolean): [string, any] {
  const found = Object.entries(stack.json.resource?.[type] ?? {}).filter(([, r]) => predicate(r));
  if (found.length !== 1) throw new Error(`expected one ${type} in ${stack.name}, found ${found.length}`);
  return found[0] as [string, any];
}
const release = (stacks: StackDocument[], name: string) => only(stackOf(stacks, 'cluster'), 'helm_release', (r) => r.name === name)[1];
/** Changes a release's values in place. */
function editValues(stacks: StackDocument[], name: string, edit: (values: any) => void): void {
  const r = release(stacks, name);
  const values = JSON.parse(r.values[0]);
  edit(values);
  r.values = [JSON.stringify(values)];
}
const schedulingPolicy = (stack: StackDocument) => only(stack, 'kubernetes_manifest', (m) => m.manifest.kind === 'Policy')[1].manifest;
const networkPolicy = (stack: StackDocument, name: string, namespace?: string) =>
  only(stack, 'kubernetes_network_policy_v1', (p) => p.metadata.name === name && (namespace === undefined || p.metadata.namespace === namespace))[1];

describe('GIVEN what tenantctl synthesizes', () => {
  test('THEN no scheduling or egress rule fires', () => {
    expect(findings(fresh())).toEqual([]);
  });
});

describe('TC-SCHED-001 every platform component ranks above every tier', () => {
  test('GIVEN istiod without a priority class THEN it is named with the highest tenant priority', () => {
    const stacks = fresh();
    editValues(stacks, 'istiod', (v) => delete v.global.priorityClassName);
    expect(findings(stacks)).toEqual([
      {
        rule: 'TC-SCHED-001',
        stack: 'cluster',
        severity: 'error',
        message: 'istiod runs at priority 0 (no PriorityClass), not above tier enterprise (tenant-enterprise) at 100000: tenant pods can preempt it',
      },
    ]);
  });

  test('GIVEN the platform class at or below a tier THEN every workload that uses it is named', () => {
    const stacks = fresh();
    only(stackOf(stacks, 'cluster'), 'kubernetes_priority_class_v1', (c) => c.metadata.name === 'tenantctl-platform')[1].value = 100000;
    const named = findings(stacks).map((f) => f.message.split(' runs at')[0]);
    expect(named).toEqual([
      'kiali',
      'kube-prometheus-stack prometheus-operator',
      'kube-prometheus-stack admission webhook patch job',
      'kube-prometheus-stack prometheus',
      'kube-prometheus-stack alertmanager',
      'kube-prometheus-stack grafana',
      'kube-prometheus-stack kube-state-metrics',
      'kube-prometheus-stack node-exporter',
      'kyverno backgroundController',
      'kyverno cleanupController',
      'kyverno reportsController',
    ]);
  });

  test('GIVEN a class no stack defines THEN it warns instead of guessing', () => {
    const stacks = fresh();
    editValues(stacks, 'kiali', (v) => (v.deployment.priority_class_name = 'made-up'));
    expect(findings(stacks)).toEqual([
      {
        rule: 'TC-SCHED-001',
        stack: 'cluster',
        severity: 'warning',
        message: 'kiali uses PriorityClass made-up, which no stack defines: cannot tell its priority',
      },
    ]);
  });
});

describe('TC-SCHED-002 platform pods run on the tainted system nodes only', () => {
  test('GIVEN a system node group without its taint THEN the group is named', () => {
    const stacks = fresh();
    delete only(stackOf(stacks, 'platform'), 'aws_eks_node_group', (g) => g.node_group_name === 'system')[1].taint;
    expect(findings(stacks)).toEqual([
      {
        rule: 'TC-SCHED-002',
        stack: 'platform',
        severity: 'error',
        message: 'node group system is the system pool but has no tenantctl.io/pool=system:NoSchedule taint: tenant pods can be scheduled there',
      },
    ]);
  });

  test('GIVEN CoreDNS and the EBS CSI controller without their placement THEN both add-ons are named', () => {
    const stacks = fresh();
    const platformStack = stackOf(stacks, 'platform');
    delete only(platformStack, 'aws_eks_addon', (a) => a.addon_name === 'coredns')[1].configuration_values;
    only(platformStack, 'aws_eks_addon', (a) => a.addon_name === 'aws-ebs-csi-driver')[1].configuration_values = JSON.stringify({
      controller: { nodeSelector: { 'tenantctl.io/pool': 'system' } },
    });
    expect(findings(stacks).map((f) => f.message)).toEqual([
      'add-on aws-ebs-csi-driver has no toleration of the system taint in controller: its pods run on tenant nodes',
      'add-on coredns has no tenantctl.io/pool=system node selector and no toleration of the system taint: its pods run on tenant nodes',
    ]);
  });

  test("GIVEN a chart's workload without its node selector THEN that workload is named", () => {
    const stacks = fresh();
    editValues(stacks, 'jaeger', (v) => delete v.jaeger.nodeSelector);
    editValues(stacks, 'kyverno', (v) => delete v.global.tolerations);
    expect(findings(stacks).map((f) => f.message)).toEqual([
      'jaeger has no tenantctl.io/pool=system node selector: its pods run on tenant nodes',
      ...['admissionController', 'backgroundController', 'cleanupController', 'reportsController', 'webhook cleanup hooks', 'CRD migration hook'].map(
        (w) => `kyverno ${w} has no toleration of the system taint: its pods run on tenant nodes`,
      ),
    ]);
  });

  test("GIVEN a tenant's provisioning Job in the platform namespace without placement THEN the Job is named", () => {
    const stacks = fresh();
    const [, job] = only(stackOf(stacks, 'tenant-beta'), 'kubernetes_job_v1', () => true);
    delete job.spec.template.spec.toleration;
    expect(findings(stacks)).toEqual([
      {
        rule: 'TC-SCHED-002',
        stack: 'tenant-beta',
        severity: 'error',
        message: `job ${job.metadata.name} in tenantctl-provisioning has no toleration of the system taint: its pods run on tenant nodes`,
      },
    ]);
  });

  test('GIVEN a chart tenantctl does not know THEN it warns that it cannot check it', () => {
    const stacks = fresh();
    release(stacks, 'jaeger').chart = 'tempo';
    expect(findings(stacks)).toEqual([
      {
        rule: 'TC-SCHED-002',
        stack: 'cluster',
        severity: 'warning',
        message: 'chart tempo is not one tenantctl knows: cannot check where its pods run',
      },
    ]);
  });
});

describe("TC-SCHED-003 tenant pods run on their tier's nodes only", () => {
  test('GIVEN a shared tenant without its node selector THEN it is named', () => {
    const stacks = fresh();
    const policy = schedulingPolicy(stackOf(stacks, 'tenant-beta'));
    policy.spec.rules = policy.spec.rules.filter((r: any) => r.name !== 'shared-node-selector');
    expect(findings(stacks)).toEqual([
      {
        rule: 'TC-SCHED-003',
        stack: 'tenant-beta',
        severity: 'error',
        message: 'no policy gives the pods of tenant beta the node selector tenantctl.io/pool=tenants: they can be scheduled on any untainted node',
      },
    ]);
  });

  test('GIVEN a dedicated tenant steered to the shared nodes instead of its own THEN it is named', () => {
    const stacks = fresh();
    const policy = schedulingPolicy(stackOf(stacks, 'tenant-acme'));
    policy.spec.rules.find((r: any) => r.name === 'dedicated-node-selector').mutate.patchStrategicMerge.spec.nodeSelector = {
      'tenantctl.io/pool': 'tenants',
    };
    expect(findings(stacks).map((f) => f.message)).toEqual([
      'no policy gives the pods of tenant acme the node selector tenantctl.io/tenant=acme: they can be scheduled on nodes other than its own',
    ]);
  });
});

describe("TC-SCHED-005 the platform's admission holds every tenant pod to its tier's priority and nodes", () => {
  const podPolicy = (stacks: StackDocument[]): any =>
    (Object.values((stackOf(stacks, 'cluster').json as any).resource.kubernetes_manifest) as any[]).find(
      (m) => m.manifest.metadata.name === 'tenantctl-tenant-pods' && m.manifest.kind === 'ValidatingAdmissionPolicy',
    ).manifest;
  const podBinding = (stacks: StackDocument[]): any =>
    (Object.values((stackOf(stacks, 'cluster').json as any).resource.kubernetes_manifest) as any[]).find(
      (m) => m.manifest.metadata.name === 'tenantctl-tenant-pods' && m.manifest.kind === 'ValidatingAdmissionPolicyBinding',
    ).manifest;
  const sched5 = (stacks: StackDocument[]) => findings(stacks).filter((f) => f.rule === 'TC-SCHED-005');

  test('GIVEN a toleration check that forgets the system taint THEN it is named', () => {
    const stacks = fresh();
    const v = podPolicy(stacks).spec.validations.find((x: any) => x.expression.includes('tolerations'));
    v.expression = v.expression.replace(" && t.key != 'tenantctl.io/pool'", '');
    expect(sched5(stacks)).toEqual([
      {
        rule: 'TC-SCHED-005',
        stack: 'cluster',
        severity: 'error',
        message:
          "no admission policy bound with Deny checks, for every pod of every tenant namespace, no toleration of the system nodes' or " +
          "another tenant's taint (tenantctl.io/pool, tenantctl.io/tenant)",
      },
    ]);
  });

  test('GIVEN the policy only warns (its binding audits) THEN every check is named missing', () => {
    const stacks = fresh();
    podBinding(stacks).spec.validationActions = ['Audit'];
    expect(sched5(stacks).map((f) => f.message)).toEqual([
      "no admission policy bound with Deny checks, for every pod of every tenant namespace, the tier's PriorityClass (a tenant pod could " +
        "take the platform's and preempt it)",
      "no admission policy bound with Deny checks, for every pod of every tenant namespace, the tier's nodes (a dedicated tenant's pods " +
        'could take the shared nodes)',
      "no admission policy bound with Deny checks, for every pod of every tenant namespace, no toleration of the system nodes' or another " +
        "tenant's taint (tenantctl.io/pool, tenantctl.io/tenant)",
    ]);
  });

  test('GIVEN the policy scoped to some namespaces by name instead of the tenant label THEN it does not count', () => {
    const stacks = fresh();
    podPolicy(stacks).spec.matchConstraints.namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': 'tenant-acme' } };
    expect(sched5(stacks)).toHaveLength(3);
  });
});

describe("TC-SCHED-004 a tenant's quota admits the pods it promises, sidecar included", () => {
  test('GIVEN a limits budget sized for the app containers alone THEN the missing pods and the default pod are named', () => {
    const stacks = fresh();
    only(stackOf(stacks, 'tenant-beta'), 'kubernetes_resource_quota_v1', () => true)[1].spec.hard['limits.cpu'] = '1';
    expect(findings(stacks)).toEqual([
      {
        rule: 'TC-SCHED-004',
        stack: 'tenant-beta',
        severity: 'error',
        message: 'the quota of tenant beta admits 5 of its 10 pods: limits.cpu 1 holds 5 default pods of 200m (app container 150m + sidecar 50m)',
      },
    ]);
  });

  test("GIVEN a tenant whose policy does not size its sidecar THEN the mesh's default sidecar counts", () => {
    const stacks = fresh();
    const policy = schedulingPolicy(stackOf(stacks, 'tenant-beta'));
    policy.spec.rules = policy.spec.rules.filter((r: any) => r.name !== 'sidecar-resources');
    expect(findings(stacks).map((f) => f.message)).toEqual([
      'the quota of tenant beta admits 3 of its 10 pods: limits.cpu 2 holds 3 default pods of 650m (app container 150m + sidecar 500m)',
    ]);
  });

  test('GIVEN an istiod that is not re-invoked after later webhooks THEN the sidecar sizes set by annotation are called unreliable', () => {
    const stacks = fresh();
    editValues(stacks, 'istiod', (v) => delete v.sidecarInjectorWebhook);
    expect(findings(stacks).map((f) => [f.rule, f.stack])).toEqual([['TC-SCHED-004', 'cluster']]);
  });
});

describe('TC-EGR-001 HTTPS egress inside the VPC goes to the STS endpoint only', () => {
  test('GIVEN the STS rule open to the private subnets (the former rule) THEN the policy and the subnets are named', () => {
    const stacks = fresh();
    networkPolicy(stackOf(stacks, 'tenant-gamma'), 'allow-aws-sts').spec.egress[0].to = platform.network.privateSubnets.map((cidr) => ({
      ip_block: { cidr },
    }));
    expect(findings(stacks)).toEqual([
      {
        rule: 'TC-EGR-001',
        stack: 'tenant-gamma',
        severity: 'error',
        message: `NetworkPolicy allow-aws-sts opens HTTPS to ${platform.network.privateSubnets.join(', ')}: inside the VPC that is more than the STS endpoint`,
      },
    ]);
  });

  test("GIVEN the provisioner's HTTPS rule open to the VPC THEN it is named", () => {
    const stacks = fresh();
    networkPolicy(stackOf(stacks, 'cluster'), 'db-provisioner-egress', 'tenantctl-system').spec.egress[2].to = [
      { ip_block: { cidr: platform.network.vpcCidr } },
    ];
    expect(findings(stacks).map((f) => [f.rule, f.stack, f.message])).toEqual([
      ['TC-EGR-001', 'cluster', 'NetworkPolicy db-provisioner-egress opens HTTPS to 10.0.0.0/16: inside the VPC that is more than the STS endpoint'],
    ]);
  });

  test("GIVEN an interface of another endpoint (EC2) THEN it is not taken for STS's", () => {
    const stacks = fresh();
    const tenant = stackOf(stacks, 'tenant-beta');
    Object.values(tenant.json.data?.aws_vpc_endpoint_service as Record<string, any>)[0].service = 'ec2';
    expect(findings(stacks).map((f) => f.rule)).toEqual(['TC-EGR-001']);
  });

  test("GIVEN a partner's API outside the VPC on 443 (overrides.network.allowEgress) THEN nothing fires", () => {
    const stacks = fresh();
    networkPolicy(stackOf(stacks, 'tenant-gamma'), 'allow-aws-sts').spec.egress.push({
      to: [{ ip_block: { cidr: '203.0.113.0/24' } }],
      ports: [{ port: '443', protocol: 'TCP' }],
    });
    expect(findings(stacks)).toEqual([]);
  });
});

describe('TC-EGR-002 tenant pods cannot leave the mesh', () => {
  test('GIVEN no guardrails release THEN Kyverno is named', () => {
    const stacks = fresh();
    const cluster = stackOf(stacks, 'cluster');
    const [id] = only(cluster, 'helm_release', (r) => r.name === 'tenant-guardrails');
    delete cluster.json.resource!.helm_release[id];
    expect(findings(stacks)).toEqual([
      {
        rule: 'TC-EGR-002',
        stack: 'cluster',
        severity: 'error',
        message:
          'no enforced Kyverno ClusterPolicy covers tenant pods leaving the mesh: a tenant pod can opt out of its sidecar or exclude ' +
          'traffic from capture',
      },
    ]);
  });

  test('GIVEN the capture rule removed THEN what it no longer stops is named', () => {
    const stacks = fresh();
    editValues(
      stacks,
      'tenant-guardrails',
      (v) => (v.clusterPolicies[0].spec.rules = v.clusterPolicies[0].spec.rules.filter((r: any) => r.name !== 'full-traffic-capture')),
    );
    expect(findings(stacks).map((f) => f.message)).toEqual([
      'the ClusterPolicy for tenant pods does not stop excluding ports or addresses from capture, turning interception off',
    ]);
  });

  test('GIVEN the policy in Audit mode THEN it stops nothing', () => {
    const stacks = fresh();
    editValues(stacks, 'tenant-guardrails', (v) => v.clusterPolicies[0].spec.rules.forEach((r: any) => (r.validate.failureAction = 'Audit')));
    expect(findings(stacks).map((f) => f.rule)).toEqual(['TC-EGR-002']);
  });
});
