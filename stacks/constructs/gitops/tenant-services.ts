import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { tenantServices } from '../../../src/model/tenant-services';
import { IrsaRole } from '../identity/irsa-role';
import { TENANT_DB_USER_TAG, tenantBoundaryArn } from '../tfc/tenant-run-permissions';
import { canaryAnalysisManifest, waveGateManifest } from './tenant-analysis-manifests';
import { appProjectManifest, applicationManifest } from './tenant-gitops-manifests';

export interface TenantServicesProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  readonly oidcProviderArn: string;
  readonly oidcIssuer: string;
  /** `prx-...` of the RDS Proxy, for services that connect to the tenant's database. */
  readonly proxyResourceId: string;
}

/**
 * The catalog's services for one tenant. Per service, an IRSA role for its own service account
 * (the catalog's permissions on the tenant's objects, under the tenant boundary with Terraform
 * Cloud) and an Argo CD Application; one AppProject fences them all in the tenant's namespace.
 * Argo CD applies the workloads (service account, Rollout, Services, mesh VirtualService,
 * autoscaler, disruption budget) from the tenant's path of the application repository; the
 * Rollouts' analyses are this stack's (AnalysisTemplates in the tenant's namespace). Kubernetes changes of the
 * service teams never wait for this stack, and this stack changes only with the catalog.
 */
export class TenantServices extends Construct {
  readonly project: Manifest;
  /** The canary gates of the tenant's Rollouts, and (after the first wave) their wave gate. */
  readonly analyses: Manifest[];
  readonly applications: Record<string, Manifest> = {};

  constructor(scope: Construct, id: string, props: TenantServicesProps) {
    super(scope, id);
    const { platform, tenant } = props;
    const dbUser = platformNames(platform).dbUserArn(props.proxyResourceId, tenant.names.dbRole);
    this.project = new Manifest(this, 'app-project', { manifest: appProjectManifest(platform, tenant) });
    const services = tenantServices(platform, tenant);
    const earlier = services[0]?.wave?.earlier ?? [];
    this.analyses = [
      new Manifest(this, 'canary-analysis', { manifest: canaryAnalysisManifest(platform, tenant) }),
      ...(earlier.length ? [new Manifest(this, 'wave-gate', { manifest: waveGateManifest(platform, tenant, earlier) })] : []),
    ];
    for (const service of services) {
      const role = new IrsaRole(this, `${service.name}-role`, {
        roleName: service.roleName,
        oidcProviderArn: props.oidcProviderArn,
        oidcIssuer: props.oidcIssuer,
        namespace: tenant.names.namespace,
        serviceAccount: service.serviceAccount,
        permissionsBoundary: platform.terraformCloud ? tenantBoundaryArn(platform, 'platform') : undefined,
        tags: service.database ? { [TENANT_DB_USER_TAG]: tenant.names.dbRole } : undefined,
        statements: [
          ...(service.database
            ? [{ Sid: 'ConnectAsTenantDbUserThroughProxy', Effect: 'Allow' as const, Action: ['rds-db:connect'], Resource: [dbUser] }]
            : []),
          ...service.iam.map((s, i) => ({ Sid: `Catalog${i}`, Effect: 'Allow' as const, Action: s.actions, Resource: s.resources })),
        ],
      });
      // The role's permissions and the canary's analyses exist before Argo CD starts the pods that use them.
      this.applications[service.name] = new Manifest(this, `${service.name}-application`, {
        manifest: applicationManifest(platform, tenant, service, role.arn),
        dependsOn: [this.project, ...this.analyses, role.role, ...role.permissions],
      });
    }
  }
}
