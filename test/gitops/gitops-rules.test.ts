import { Testing } from 'cdktf';
import { resolveTiers } from '../../src/model/tiers';
import { irsaTrust, tenantPermissions } from '../../src/policy/rules/tenant-isolation';
import {
  appProjectDestinations,
  appProjectResources,
  applicationsInOwnProject,
  applicationsUnderPodSecurity,
  workloadsFitQuota,
} from '../../src/policy/rules/gitops';
import type { Rule, StackDocument } from '../../src/policy/types';
import { TenantStack } from '../../stacks/tenant-stack';
import { catalogPlatform, catalogTenant } from './fixtures';

const platform = catalogPlatform();
const synthesized = JSON.parse(
  Testing.synth(new TenantStack(Testing.app(), { platform, tenant: catalogTenant(platform, { id: 'acme', tier: 'starter' }) })),
);

/** The tenant stack with one edit. */
function stackWith(edit: (json: any) => void = () => undefined): StackDocument {
  const json = JSON.parse(JSON.stringify(synthesized));
  edit(json);
  return { name: 'tenant-acme', json };
}
const ofKind = (json: any, kind: string) =>
  Object.values(json.resource.kubernetes_manifest as Record<string, any>)
    .filter((m) => m.manifest.kind === kind)
    .map((m) => m.manifest);
const project = (json: any) => ofKind(json, 'AppProject')[0];
const apps = (json: any) => ofKind(json, 'Application');
const messages = (rule: Rule, edit?: (json: any) => void) => rule.check({ stacks: [stackWith(edit)] }).map((f) => f.message);

describe('GIVEN the tenant stack as tenantctl synthesizes it with the example catalog', () => {
  test.each([appProjectDestinations, appProjectResources, applicationsInOwnProject, workloadsFitQuota, applicationsUnderPodSecurity])(
    'THEN $id finds nothing',
    (rule) => {
      expect(messages(rule)).toEqual([]);
    },
  );
});

describe('TC-GIT-001: AppProject destinations', () => {
  test('flags another namespace, a wildcard, another cluster, no destination and other source namespaces', () => {
    expect(
      messages(appProjectDestinations, (j) =>
        project(j).spec.destinations.push({ server: 'https://kubernetes.default.svc', namespace: 'tenant-other' }),
      ),
    ).toEqual(['AppProject tenant-acme destination 1 names namespace "tenant-other", not tenant-acme']);
    expect(messages(appProjectDestinations, (j) => (project(j).spec.destinations[0].namespace = '*'))).toEqual([
      'AppProject tenant-acme destination 0 names namespace "*", not tenant-acme',
    ]);
    expect(messages(appProjectDestinations, (j) => (project(j).spec.destinations[0].server = 'https://10.0.0.1'))).toEqual([
      'AppProject tenant-acme destination 0 names cluster "https://10.0.0.1", not this one (https://kubernetes.default.svc)',
    ]);
    expect(messages(appProjectDestinations, (j) => (project(j).spec.destinations = []))).toEqual(['AppProject tenant-acme names no destination']);
    expect(messages(appProjectDestinations, (j) => (project(j).spec.sourceNamespaces = ['*']))).toEqual([
      'AppProject tenant-acme may be used by Applications of *',
    ]);
  });
});

describe('TC-GIT-002: AppProject resource lists', () => {
  test('flags a cluster-scoped allowance and every isolation kind the blacklist lets through', () => {
    expect(messages(appProjectResources, (j) => (project(j).spec.clusterResourceWhitelist = [{ group: '*', kind: '*' }]))).toEqual([
      'AppProject tenant-acme allows cluster-scoped */*',
    ]);
    expect(
      messages(
        appProjectResources,
        (j) =>
          (project(j).spec.namespaceResourceBlacklist = project(j).spec.namespaceResourceBlacklist.filter(
            (k: any) => !['ResourceQuota', 'Role'].includes(k.kind) && k.group !== 'kyverno.io',
          )),
      ),
    ).toEqual(['AppProject tenant-acme does not deny core/ResourceQuota, rbac.authorization.k8s.io/Role, kyverno.io/*']);
  });

  test('accepts a blacklist that denies more, by wildcard', () => {
    expect(messages(appProjectResources, (j) => (project(j).spec.namespaceResourceBlacklist = [{ group: '*', kind: '*' }]))).toEqual([]);
  });
});

describe('TC-GIT-003: Applications', () => {
  test('flags an Application in another project or deploying into another namespace', () => {
    expect(messages(applicationsInOwnProject, (j) => (apps(j)[0].spec.project = 'default'))).toEqual([
      'Application tenant-acme--project is in project "default", not one the tenant\'s stack writes',
    ]);
    expect(messages(applicationsInOwnProject, (j) => (apps(j)[1].spec.destination.namespace = 'kube-system'))).toEqual([
      'Application tenant-acme--task destination names namespace "kube-system", not tenant-acme',
    ]);
  });
});

describe('TC-GIT-004: workloads and the quota', () => {
  test('flags services whose maximum, with the rollout surge and sidecars, exceeds the quota', () => {
    expect(messages(workloadsFitQuota, (j) => (apps(j)[2].spec.source.helm.valuesObject.autoscaling.maxReplicas = 4))).toEqual([
      "the tenant's Applications run up to 11 pods (autoscaler maxima plus rollout surge), above the quota's 10",
      "the tenant's Applications need up to 2200m limits.cpu (autoscaler maxima plus rollout surge, each pod with its sidecar), above the quota's 2",
      "the tenant's Applications need up to 2112Mi requests.memory (autoscaler maxima plus rollout surge, each pod with its sidecar), above " +
        "the quota's 2Gi",
      "the tenant's Applications need up to 4224Mi limits.memory (autoscaler maxima plus rollout surge, each pod with its sidecar), above " +
        "the quota's 4Gi",
    ]);
  });

  test('flags a container the LimitRange would reject', () => {
    expect(messages(workloadsFitQuota, (j) => (apps(j)[0].spec.source.helm.valuesObject.resources.limits.memory = '2Gi'))).toContain(
      'Application tenant-acme--project: container limits.memory 2Gi is above the LimitRange maximum 1Gi, which rejects the pod',
    );
  });
});

describe('TC-GIT-005: Pod Security', () => {
  test('flags Applications into a namespace that does not enforce restricted', () => {
    const baseline = (j: any) =>
      (Object.values(j.resource.kubernetes_namespace_v1 as Record<string, any>)[0].metadata.labels['pod-security.kubernetes.io/enforce'] =
        'baseline');
    expect(messages(applicationsUnderPodSecurity, baseline)).toEqual(
      ['project', 'task', 'user'].map(
        (s) => `Application tenant-acme--${s} deploys into "tenant-acme", which enforces Pod Security "baseline", not "restricted"`,
      ),
    );
    expect(messages(applicationsUnderPodSecurity, (j) => (apps(j)[0].spec.destination.namespace = 'default'))).toEqual([
      'Application tenant-acme--project deploys into "default", a namespace whose Pod Security the tenant stack does not set, not "restricted"',
    ]);
  });
});

describe('GIVEN the project loaded WHEN the tenant isolation rules check the service roles', () => {
  const project = { dir: '.', platform, tiers: resolveTiers(platform.tiers), tenants: [catalogTenant(platform, { id: 'acme', tier: 'starter' })] };
  const check = (rule: Rule, edit?: (json: any) => void) => rule.check({ stacks: [stackWith(edit)], project }).map((f) => f.message);

  test("THEN TC-ISO-009 accepts roles that trust the service accounts the tenant's Applications deploy", () => {
    expect(check(irsaTrust)).toEqual([]);
    expect(check(irsaTrust, (j) => (apps(j)[0].spec.source.helm.valuesObject.serviceAccount.name = 'other'))).toEqual([
      'role acme-prod-tenant-acme--project trusts service account project, which the stack does not create (it creates app, other, task, user)',
    ]);
  });

  test("THEN TC-ISO-010 accepts the catalog's grants on the tenant's objects, and nothing beyond them", () => {
    expect(check(tenantPermissions)).toEqual([]);
    const widen = (j: any) => {
      const policy = Object.values(j.resource.aws_iam_role_policy as Record<string, any>).find((p) => p.name === 'acme-prod-tenant-acme--project');
      policy.policy = policy.policy.replace('acme-prod-attachments/acme/*', 'acme-prod-attachments/*');
    };
    expect(check(tenantPermissions, widen)).toEqual([
      'policy allows s3:GetObject, s3:PutObject; names resource arn:aws:s3:::acme-prod-attachments/*, not a database user',
    ]);
  });
});
