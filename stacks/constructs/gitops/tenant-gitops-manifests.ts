import { APP_PROJECT_DENIED_KINDS, ARGO_CD_API_VERSION, ARGO_CD_CASCADE_FINALIZER } from '../../../src/model/gitops';
import { TENANT_LABEL } from '../../../src/model/labels';
import { IN_CLUSTER_SERVER, platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { APPLICATION_LABELS, analysisArgs, canarySteps } from '../../../src/model/canary';
import { ROLLOUT_SURGE, type TenantService } from '../../../src/model/tenant-services';

/** The route of a service's mesh-internal VirtualService whose weights Argo Rollouts sets. */
export const CANARY_ROUTE = 'primary';

/** Labels of the tenant's Argo CD objects. */
function labels(tenant: TenantSpec): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'tenantctl', [TENANT_LABEL]: tenant.id };
}

/**
 * The tenant's AppProject: sources from the application repository only, destinations the
 * tenant's namespace on this cluster only, no cluster-scoped kind (an empty whitelist), and
 * none of the kinds APP_PROJECT_DENIED_KINDS lists. Applications of other namespaces may not use it.
 */
export function appProjectManifest(platform: PlatformSpec, tenant: TenantSpec): Record<string, unknown> {
  const gitops = platform.gitops!;
  return {
    apiVersion: ARGO_CD_API_VERSION,
    kind: 'AppProject',
    metadata: { name: tenant.names.appProject, namespace: platformNames(platform).namespaces.gitops, labels: labels(tenant) },
    spec: {
      description: `Catalog services of tenant ${tenant.id}`,
      sourceRepos: [gitops.repoUrl],
      destinations: [{ server: IN_CLUSTER_SERVER, namespace: tenant.names.namespace }],
      clusterResourceWhitelist: [],
      namespaceResourceBlacklist: APP_PROJECT_DENIED_KINDS.map((k) => ({ group: k.group, kind: k.kind })),
    },
  };
}

/** The Helm values Argo CD renders the service's chart (templates/charts/tenant-service) with. */
export function serviceValues(tenant: TenantSpec, service: TenantService, roleArn: string): Record<string, unknown> {
  const r = service.values.resources;
  return {
    name: service.name,
    tenant: tenant.id,
    image: service.image,
    port: service.port,
    healthPath: service.healthPath,
    service: service.service,
    serviceAccount: { name: service.serviceAccount, roleArn },
    resources: { requests: { cpu: r.requestCpu, memory: r.requestMemory }, limits: { cpu: r.limitCpu, memory: r.limitMemory } },
    autoscaling: {
      minReplicas: service.values.replicas.min,
      maxReplicas: service.values.replicas.max,
      targetCpuUtilization: service.targetCpuUtilization,
    },
    rollout: { maxSurge: ROLLOUT_SURGE },
    canary: canaryValues(tenant, service),
  };
}

/**
 * The canary the service's Rollout runs: the wave gate (later waves), then the weights, with the
 * tenant's canary gates as background analysis the whole way (a failed gate aborts the rollout,
 * which sends all traffic back to the stable pods). The analysis templates are the tenant
 * stack's, in the tenant's namespace; their arguments are the service and its version (the
 * pods' `app` and `version` labels, which Istio reports).
 */
function canaryValues(tenant: TenantSpec, service: TenantService): Record<string, unknown> {
  const waveGate = service.wave?.earlier.length ? { template: tenant.names.waveGate, service: service.name, version: service.image.tag } : undefined;
  return {
    steps: canarySteps(waveGate),
    analysis: { templateName: tenant.names.canaryAnalysis, args: analysisArgs(service.name, service.image.tag) },
    ...(service.canaryService
      ? { trafficRouting: { canaryService: service.canaryService, virtualService: service.service.name, route: CANARY_ROUTE } }
      : {}),
  };
}

/**
 * One service's Application: the tenant's path of the application repository, rendered with the
 * tenant's values into the tenant's namespace, in the tenant's project; synced automatically,
 * pruned and healed (what is not in git does not stay), and deleted with what it deployed.
 */
export function applicationManifest(platform: PlatformSpec, tenant: TenantSpec, service: TenantService, roleArn: string): Record<string, unknown> {
  const gitops = platform.gitops!;
  return {
    apiVersion: ARGO_CD_API_VERSION,
    kind: 'Application',
    metadata: {
      name: service.application,
      namespace: platformNames(platform).namespaces.gitops,
      labels: {
        ...labels(tenant),
        [APPLICATION_LABELS.service]: service.name,
        [APPLICATION_LABELS.version]: service.image.tag,
        ...(service.wave ? { [APPLICATION_LABELS.wave]: service.wave.name } : {}),
        ...(service.pinned ? { [APPLICATION_LABELS.pinned]: 'true' } : {}),
      },
      finalizers: [ARGO_CD_CASCADE_FINALIZER],
    },
    spec: {
      project: tenant.names.appProject,
      source: {
        repoURL: gitops.repoUrl,
        targetRevision: gitops.targetRevision,
        path: service.path,
        helm: { releaseName: service.name, valuesObject: serviceValues(tenant, service, roleArn) },
      },
      destination: { server: IN_CLUSTER_SERVER, namespace: tenant.names.namespace },
      // Argo Rollouts moves the canary's weights; self-heal and syncs must not move them back.
      ...(service.canaryService
        ? {
            ignoreDifferences: [
              {
                group: 'networking.istio.io',
                kind: 'VirtualService',
                name: service.service.name,
                jqPathExpressions: ['.spec.http[].route[].weight'],
              },
            ],
          }
        : {}),
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        ...(service.canaryService ? { syncOptions: ['RespectIgnoreDifferences=true'] } : {}),
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
      },
    },
  };
}
