import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { albForwardsToGateway } from '../../../src/model/edge';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { templatePath } from '../../../src/paths';
import { localChartRelease } from '../addons/local-chart';

export interface MeshPoliciesProps {
  readonly platform: PlatformSpec;
  /** ALB target group the ingress gateway pods are registered in (Edge), while the ALB forwards to it. */
  readonly targetGroupArn: string;
  /** Port the gateway pods serve HTTP on. */
  readonly gatewayPort: number;
  /** Trace collector as `<namespace>/<service FQDN>`, kept visible to every proxy. */
  readonly tracingHost: string;
  /** Istio (CRDs, istiod, gateway) and the load balancer controller (TargetGroupBinding CRD). */
  readonly dependsOn?: ITerraformDependable[];
}

export const MESH_CHART_DIR = templatePath('charts', 'platform-mesh');

/**
 * Mesh-wide policies (strict mTLS, default Sidecar scope), the tenants' shared Istio Gateway and
 * the TargetGroupBinding, installed as the local chart templates/charts/platform-mesh: their
 * CRDs are installed in the same apply (see localChartRelease).
 */
export class MeshPolicies extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: MeshPoliciesProps) {
    super(scope, id);
    const names = platformNames(props.platform);
    const [gatewayNamespace, gatewayName] = names.gateway.split('/');
    this.release = localChartRelease(this, {
      dir: MESH_CHART_DIR,
      namespace: names.namespaces.istio,
      values: {
        meshRootNamespace: names.namespaces.istio,
        domain: props.platform.domain ?? '',
        // No binding for a group no listener forwards to (see albForwardsToGateway).
        targetGroupArn: albForwardsToGateway(props.platform) ? props.targetGroupArn : '',
        sharedServicesNamespace: names.namespaces.sharedServices,
        tracingHost: props.tracingHost,
        gateway: {
          name: gatewayName,
          namespace: gatewayNamespace,
          service: names.ingressGatewayService,
          port: props.gatewayPort,
          selector: names.ingressGatewayLabels,
        },
      },
      dependsOn: props.dependsOn,
    });
  }
}
