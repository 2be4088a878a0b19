import * as fs from 'fs';
import * as path from 'path';
import { platformSchema } from '../../src/model/platform-schema';
import { tenantServiceProblems, tenantServices } from '../../src/model/tenant-services';
import { tenantSchema } from '../../src/model/tenant-schema';
import { tierCatalog } from '../../src/model/tiers';
import { platformConfig, platformSpec } from '../util';
import { catalogPlatform, catalogTenant, exampleCatalog } from './fixtures';

const issuesOf = (overrides: object) => {
  const result = platformSchema.safeParse({ ...platformConfig(), ...overrides });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const service = (overrides: object = {}) => ({ ...exampleCatalog.services![0], ...overrides });

describe('service catalog (platform.json services and gitops)', () => {
  it('is empty by default: no services, no GitOps', () => {
    const spec = platformSpec();
    expect(spec.services).toEqual([]);
    expect(spec.gitops).toBeUndefined();
    expect(tenantServices(spec, { id: 'acme', tier: 'starter', services: {} })).toEqual([]);
  });

  it('accepts the README example and resolves its defaults', () => {
    const spec = catalogPlatform();
    expect(spec.gitops).toEqual({
      repoUrl: 'https://github.com/example/saas-deploy.git',
      targetRevision: 'main',
      pathTemplate: 'tenants/{tenant}/{service}',
    });
    expect(spec.services.map((s) => [s.name, s.entry, s.targetCpuUtilization])).toEqual([
      ['project', true, 70],
      ['task', false, 70],
      ['user', false, 70],
    ]);
  });

  it.each([
    [
      { services: [service()], gitops: undefined },
      'services: services are deployed through Argo CD: set gitops.repoUrl to the application repository',
    ],
    [{ services: [service(), service({ entry: false })] }, 'services.1.name: service project is listed twice'],
    [{ services: [service({ name: 'gateway' })] }, 'services.0.name: gateway is reserved in tenant namespaces (app, gateway): choose another name'],
    [
      { services: [service({ repository: 'billing' })] },
      'services.0.repository: billing is not in ecr.repositories (api-gateway, project-service, task-service, user-service): add it there ' +
        'so the platform creates it',
    ],
    [{ services: [service({ tiers: { gold: {} } })] }, 'services.0.tiers.gold: unknown tier: use one of starter, standard, enterprise'],
    [{ services: [service({ entry: false })] }, 'services: exactly one service needs "entry": true (the one the tenant\'s host routes to), got 0'],
    [{ services: [service({ port: 15001 })] }, "services.0.port: must be outside 15000-15099, which Istio's sidecar reserves"],
    [
      { services: [service({ port: 80 })] },
      'services.0.port: must be an unprivileged port (1024-65535): pods run as non-root under Pod Security restricted',
    ],
    [{ services: [service({ name: 'a--b' })] }, "services.0.name: must use single hyphens: '--' separates tenant and service in derived names"],
    [
      { services: [service({ iam: [{ actions: ['s3:*'], resources: ['arn:aws:s3:::x/{tenant}/*'] }] })] },
      'services.0.iam.0.actions.0: must be an exact IAM action such as s3:GetObject, without wildcards',
    ],
    [
      { services: [service({ iam: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::x/*'] }] })] },
      "services.0.iam.0.resources.0: must contain {tenant}: a service may act only on its own tenant's objects, e.g. arn:aws:s3:::uploads/{tenant}/*",
    ],
    [
      { gitops: { repoUrl: 'https://github.com/x/y.git', pathTemplate: 'tenants/{tenant}' } },
      "gitops.pathTemplate: must contain {tenant} and {service}: each tenant's deployment of each service has its own path",
    ],
    [
      { gitops: { repoUrl: 'https://github.com/x/y.git', pathTemplate: '../{tenant}/{service}' } },
      'gitops.pathTemplate: must stay inside the repository (relative, no ..)',
    ],
  ])('rejects %j', (overrides, message) => {
    expect(issuesOf({ ...exampleCatalog, ...overrides })).toEqual([message]);
  });
});

describe("a tenant's services", () => {
  const platform = catalogPlatform();

  it('runs every catalog service with its tier values, its own role and the git path of its tenant', () => {
    const [project, task] = tenantServices(platform, catalogTenant(platform, { id: 'acme', tier: 'standard' }));
    expect(project).toMatchObject({
      name: 'project',
      image: { repository: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/acme-prod/project-service', tag: '1.0.0' },
      pinned: false,
      service: { name: 'gateway', port: 8080 },
      serviceAccount: 'project',
      roleName: 'acme-prod-tenant-acme--project',
      application: 'tenant-acme--project',
      path: 'tenants/acme/project',
      values: { resources: { requestCpu: '200m', limitCpu: '500m', requestMemory: '384Mi', limitMemory: '1Gi' }, replicas: { min: 2, max: 4 } },
      iam: [{ actions: ['s3:GetObject', 's3:PutObject'], resources: ['arn:aws:s3:::acme-prod-attachments/acme/*'] }],
    });
    expect(task.service).toEqual({ name: 'task', port: 8081 });
  });

  it("takes a tenant file's image pin and tier changes per service", () => {
    const tenant = catalogTenant(platform, { id: 'acme', tier: 'starter', services: { task: { tag: '0.9.3', tier: { replicas: { max: 1 } } } } });
    const task = tenantServices(platform, tenant)[1];
    expect(task).toMatchObject({ image: { tag: '0.9.3' }, pinned: true, values: { replicas: { min: 1, max: 1 }, resources: { limitCpu: '150m' } } });
  });

  it('fits the example catalog into the quota of every stock tier, with the rollout surge and sidecars', () => {
    for (const tier of Object.keys(tierCatalog)) {
      expect(tenantServiceProblems(platform, { id: 'acme', tier, services: {} }, tierCatalog[tier])).toEqual([]);
    }
  });

  it('refuses services that would not fit the quota, naming each budget', () => {
    const problems = tenantServiceProblems(
      platform,
      tenantSchema.parse({ version: 1, id: 'acme', tier: 'starter', services: { user: { tier: { replicas: { max: 4 } } } } }),
      tierCatalog.starter,
    );
    expect(problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'tier: the services need 11 pods at their maximum replicas plus 1 per service for their rollouts, above quota.pods 10 of tier starter: lower replicas.max or raise the quota',
      "tier: the services need 2200m limits.cpu at their maximum replicas (plus the rollout surge, each pod with its sidecar), above quota.cpuLimit 2 of tier starter: lower the services' resources or replicas.max, or raise the quota",
      "tier: the services need 2112Mi requests.memory at their maximum replicas (plus the rollout surge, each pod with its sidecar), above quota.memory 2Gi of tier starter: lower the services' resources or replicas.max, or raise the quota",
      "tier: the services need 4224Mi limits.memory at their maximum replicas (plus the rollout surge, each pod with its sidecar), above quota.memoryLimit 4Gi of tier starter: lower the services' resources or replicas.max, or raise the quota",
    ]);
  });

  it('refuses a container the LimitRange would reject, a pin of an unknown service and min above max', () => {
    const messages = (services: object) =>
      tenantServiceProblems(platform, tenantSchema.parse({ version: 1, id: 'acme', tier: 'starter', services }), tierCatalog.starter).map(
        (p) => `${p.field}: ${p.message}`,
      );
    expect(messages({ task: { tier: { resources: { limitCpu: '2' } } } })).toEqual([
      "services.task.tier: service task in tier starter: limitCpu 2 is above the LimitRange's maxCpu 1, which would reject the pod",
    ]);
    expect(messages({ billing: { tag: '1.0.0' } })).toEqual(['services.billing: is not a catalog service: use one of project, task, user']);
    expect(messages({ task: { tier: { replicas: { min: 3 } } } })).toEqual([
      'services.task.tier: service task in tier starter: replicas.min 3 is above replicas.max 2',
    ]);
  });

  it("is refused by the loader when it does not fit, with the tenant file's field", () => {
    expect(() => catalogTenant(platform, { id: 'acme', tier: 'starter', services: { user: { tier: { replicas: { max: 5 } } } } })).toThrow(
      /quota.pods 10 of tier starter/,
    );
  });
});

describe('README', () => {
  test('shows the example catalog the tests run, verbatim', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain('```json\n' + JSON.stringify(exampleCatalog, null, 2) + '\n```');
  });
});
