import type { Release } from '@cdktf/provider-helm/lib/release';
import { AssetType, TerraformAsset, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { albForwardsToGateway } from '../../../src/config/edge';
import { platformNames } from '../../../src/config/names';
import type { PlatformSpec } from '../../../src/config/platform-schema';
import { templatePath } from '../../../src/paths';
import { HelmAddon } from '../addons/helm-addon';

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
 * the TargetGroupBinding, installed as the local chart templates/charts/platform-mesh. Not
 * kubernetes_manifest: their CRDs are installed in the same apply, and kubernetes_manifest needs
 * a CRD at plan time. The chart is a Terraform asset, so it travels with the synthesized stack and
 * any change to it changes the asset path, which upgrades the release.
 */
export class MeshPolicies extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: MeshPoliciesProps) {
    super(scope, id);
    const names = platformNames(props.platform);
    const [gatewayNamespace, gatewayName] = names.gateway.split('/');
    const chart = readChart(MESH_CHART_DIR);
    const asset = new TerraformAsset(this, 'chart', { path: MESH_CHART_DIR, type: AssetType.DIRECTORY });

    this.release = new HelmAddon(this, 'helm', {
      releaseName: chart.name,
      chart: asset.path,
      version: chart.version,
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
    }).release;
  }
}

/** Name and version of a local chart, from its Chart.yaml. */
export function readChart(dir: string): { name: string; version: string } {
  const file = path.join(dir, 'Chart.yaml');
  const chart = parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  if (typeof chart.name !== 'string' || typeof chart.version !== 'string') {
    throw new Error(`${file} needs a name and a version`);
  }
  return { name: chart.name, version: chart.version };
}
