import * as path from 'path';
import { Testing } from 'cdktf';
import { APP_PROJECT_DENIED_KINDS } from '../../src/model/gitops';
import type { PlatformSpec } from '../../src/model/platform-schema';
import type { TenantSpec } from '../../src/model/project';
import { tierCatalog } from '../../src/model/tiers';
import { validateManifest } from '../../src/manifests/schema';
import { tenantNamespaceAdmissionSpec } from '../../stacks/constructs/kubernetes/tenant-namespace-admission';
import { tenantRunStatements } from '../../stacks/constructs/tfc/tenant-run-permissions';
import { tenantPolicyStatements } from '../../stacks/constructs/tfc/tenant-boundary';
import { TenantStack } from '../../stacks/tenant-stack';
import { admits } from '../cel';
import { renderChart } from '../chart-render';
import { SynthJson } from '../util';
import { catalogPlatform, catalogTenant } from './fixtures';

const CHART = path.join(__dirname, '..', '..', 'templates', 'charts', 'tenant-service');
const ROLE_ARN = 'arn:aws:iam::111122223333:role/acme-prod-tenant-acme--project';

function synth(platform: PlatformSpec, tenant: TenantSpec): SynthJson {
  return SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant })));
}
const argo = (json: SynthJson, kind: string) => json.where('kubernetes_manifest', (m) => m.manifest.kind === kind);

describe.each(Object.keys(tierCatalog))('GIVEN the example catalog and a %s tenant WHEN its stack is synthesized', (tier) => {
  const platform = catalogPlatform();
  const tenant = catalogTenant(platform, { id: 'acme', tier });
  const json = synth(platform, tenant);
  const [project] = argo(json, 'AppProject');
  const applications = argo(json, 'Application');

  test('THEN one AppProject and one Application per service pass the Argo CD schema', () => {
    expect(argo(json, 'AppProject')).toHaveLength(1);
    expect(applications.map((a) => a.manifest.metadata.name)).toEqual(['tenant-acme--project', 'tenant-acme--task', 'tenant-acme--user']);
    for (const m of [project, ...applications]) expect(validateManifest(m.manifest)).toBeUndefined();
  });

  test("THEN the AppProject deploys only into the tenant's namespace of this cluster, nothing cluster-scoped, none of the isolation kinds", () => {
    expect(project.manifest.metadata).toMatchObject({ name: 'tenant-acme', namespace: 'argocd' });
    expect(project.manifest.spec).toEqual({
      description: 'Catalog services of tenant acme',
      sourceRepos: ['https://github.com/example/saas-deploy.git'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'tenant-acme' }],
      clusterResourceWhitelist: [],
      namespaceResourceBlacklist: APP_PROJECT_DENIED_KINDS,
    });
    for (const kind of ['ResourceQuota', 'LimitRange']) expect(project.manifest.spec.namespaceResourceBlacklist).toContainEqual({ group: '', kind });
    for (const group of ['security.istio.io', 'kyverno.io'])
      expect(project.manifest.spec.namespaceResourceBlacklist).toContainEqual({ group, kind: '*' });
    // The chart's Rollout and mesh-internal VirtualService stay open (admission holds them); every other kind of their groups is denied.
    const denied = (group: string) => project.manifest.spec.namespaceResourceBlacklist.filter((k: any) => k.group === group).map((k: any) => k.kind);
    expect(denied('networking.istio.io')).toEqual([
      'Gateway',
      'DestinationRule',
      'ServiceEntry',
      'Sidecar',
      'EnvoyFilter',
      'WorkloadEntry',
      'WorkloadGroup',
      'ProxyConfig',
    ]);
    expect(denied('argoproj.io')).toEqual(['Application', 'ApplicationSet', 'AppProject', 'AnalysisTemplate', 'AnalysisRun', 'Experiment']);
  });

  test(
    "THEN each Application is the tenant's path, in the tenant's project and namespace, synced, pruned, healed and deleted with " + 'its workloads',
    () => {
      const [app] = applications;
      expect(app.manifest.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
      expect(app.manifest.spec).toMatchObject({
        project: 'tenant-acme',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'tenant-acme' },
        source: {
          repoURL: 'https://github.com/example/saas-deploy.git',
          targetRevision: 'main',
          path: 'tenants/acme/project',
          helm: { releaseName: 'project' },
        },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      });
      const roleId = json.idOf('aws_iam_role', (r) => r.name === 'acme-prod-tenant-acme--project');
      expect(app.manifest.spec.source.helm.valuesObject.serviceAccount).toEqual({ name: 'project', roleArn: `\${aws_iam_role.${roleId}.arn}` });
      expect(app.depends_on).toContain(`aws_iam_role.${roleId}`);
    },
  );

  test("THEN each service has its own IRSA role for its own service account, with the catalog's permissions on the tenant's objects", () => {
    const role = json.where('aws_iam_role', (r) => r.name === 'acme-prod-tenant-acme--project')[0];
    expect(role.assume_role_policy).toContain('system:serviceaccount:tenant-acme:project');
    // The proxy's id is a Terraform expression inside the document.
    const policy = JSON.parse(
      json.where('aws_iam_role_policy', (p) => p.name === 'acme-prod-tenant-acme--project')[0].policy.replace(/\$\{[^}]*\}/g, 'prx-id'),
    );
    expect(policy.Statement.map((s: any) => [s.Sid, s.Action])).toEqual([
      ['ConnectAsTenantDbUserThroughProxy', ['rds-db:connect']],
      ['Catalog0', ['s3:GetObject', 's3:PutObject']],
    ]);
    expect(policy.Statement[1].Resource).toEqual(['arn:aws:s3:::acme-prod-attachments/acme/*']);
    expect(json.where('aws_iam_role_policy', (p) => p.name === 'acme-prod-tenant-acme--user')).toEqual([]);
  });

  test("THEN the chart rendered with each Application's values passes the Kubernetes schemas and Pod Security restricted", () => {
    for (const app of applications) {
      const values = {
        ...app.manifest.spec.source.helm.valuesObject,
        serviceAccount: { ...app.manifest.spec.source.helm.valuesObject.serviceAccount, roleArn: ROLE_ARN },
      };
      const objects = renderChart(CHART, { values: [JSON.stringify(values)] });
      const entry = app.manifest.metadata.name === 'tenant-acme--project';
      expect(objects.map((o) => o.kind)).toEqual([
        ...(entry ? [] : ['Service']),
        'HorizontalPodAutoscaler',
        'PodDisruptionBudget',
        'Rollout',
        'Service',
        'ServiceAccount',
        ...(entry ? [] : ['VirtualService']),
      ]);
      for (const o of objects) expect(validateManifest({ ...o, metadata: { ...o.metadata, namespace: 'tenant-acme' } })).toBeUndefined();
      const pod = objects.find((o) => o.kind === 'Rollout').spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers) {
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.ports.every((p: any) => p.containerPort >= 1024 && !p.hostPort)).toBe(true);
      }
      expect(pod.hostNetwork ?? pod.hostPID ?? pod.hostIPC).toBeUndefined();
      expect(pod.volumes.every((v: any) => v.emptyDir)).toBe(true);
    }
  });
});

describe('GIVEN the entry service WHEN its chart is rendered', () => {
  const platform = catalogPlatform();
  const json = synth(platform, catalogTenant(platform, { id: 'acme', tier: 'standard' }));
  const app = argo(json, 'Application').find((a) => a.manifest.metadata.name === 'tenant-acme--project');
  const objects = renderChart(CHART, { values: [JSON.stringify(app.manifest.spec.source.helm.valuesObject)] });
  const service = objects.find((o) => o.kind === 'Service');
  test('THEN its Service is the gateway:8080 the tenant VirtualService routes to, onto the container port', () => {
    expect(service.metadata.name).toBe('gateway');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }]);
    const vs = json.where('kubernetes_manifest', (m) => m.manifest.kind === 'VirtualService')[0];
    expect(JSON.stringify(vs.manifest.spec.http)).toContain('"host":"gateway.tenant-acme.svc.cluster.local"');
  });
  test('THEN the autoscaler and the rollout stay within the bounds the quota was checked for', () => {
    expect(objects.find((o) => o.kind === 'HorizontalPodAutoscaler').spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 4,
      scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'project' },
    });
    expect(objects.find((o) => o.kind === 'Rollout').spec.strategy.canary).toMatchObject({ maxUnavailable: 0, maxSurge: 1 });
    expect(objects.find((o) => o.kind === 'Rollout').spec.replicas).toBeUndefined();
    expect(objects.find((o) => o.kind === 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });
  test("THEN Argo CD's writes of every rendered object pass the tenant namespaces' admission, which does not exempt it", () => {
    const spec = tenantNamespaceAdmissionSpec(platform);
    const write = (object: any) =>
      admits(spec, {
        operation: 'CREATE',
        group: object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '',
        resource: `${object.kind.toLowerCase()}s`,
        namespace: 'tenant-acme',
        name: object.metadata.name,
        username: 'system:serviceaccount:argocd:argocd-application-controller',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd', 'system:authenticated'],
        object,
        namespaceObject: { metadata: { name: 'tenant-acme', labels: { 'tenantctl.io/tenant': 'acme', 'tenantctl.io/tier': 'standard' } } },
      });
    expect(objects.map((o) => o.kind).sort()).toEqual(['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Rollout', 'Service', 'ServiceAccount']);
    for (const o of objects) expect(write(o)).toBe(true);
    expect(write({ ...service, spec: { ...service.spec, externalIPs: ['203.0.113.10'] } })).toBe(false);
  });
});

describe('GIVEN Terraform Cloud and the example catalog', () => {
  const platform = catalogPlatform({ terraformCloud: { organization: 'acme' } });
  const tenant = catalogTenant(platform, { id: 'acme', tier: 'starter' });
  const json = synth(platform, tenant);

  test('THEN every service role carries the tenant boundary', () => {
    const roles = json.where('aws_iam_role', (r) => r.name.includes('--'));
    expect(roles).toHaveLength(3);
    for (const r of roles) expect(r.permissions_boundary).toBe('arn:aws:iam::111122223333:policy/acme-prod-tenant-boundary');
  });

  test("THEN the tenant's run role may write exactly its own roles, the service roles among them", () => {
    const iam = tenantRunStatements(platform, tenant, 'platform').find((s) => s.Sid === 'IamRole');
    expect(iam?.Resource).toEqual(
      ['acme', 'acme--project', 'acme--task', 'acme--user'].map((n) => `arn:aws:iam::111122223333:role/acme-prod-tenant-${n}`),
    );
  });

  test("THEN the boundary lets a role use the catalog's permissions on its own tenant's objects only", () => {
    const statements = tenantPolicyStatements(platform, 'platform');
    expect(statements.filter((s) => s.Sid?.startsWith('Catalog'))).toEqual([
      {
        Sid: 'CatalogProject0',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::acme-prod-attachments/$${aws:PrincipalTag/tenantctl:tenant}/*'],
      },
      {
        Sid: 'CatalogTask0',
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: ['arn:aws:sqs:eu-west-1:111122223333:acme-prod-tasks-$${aws:PrincipalTag/tenantctl:tenant}'],
      },
    ]);
  });
});
