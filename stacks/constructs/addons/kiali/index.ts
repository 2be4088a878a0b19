import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { HelmAddon } from '../helm-addon';
import { systemNodes } from '../system-nodes';
import { chartRepositories, chartVersions } from '../versions';

export interface KialiProps {
  /** Namespace of Kiali; also the Istio root namespace (istio-system). */
  readonly namespace: string;
  /** In-cluster URLs of the telemetry backends. */
  readonly prometheusUrl: string;
  readonly grafanaUrl: string;
  readonly tracingUrl: string;
  /** PriorityClass of its pods (the platform's). */
  readonly priorityClassName: string;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Kiali, the mesh console. Users log in with a Kubernetes token and see only what their RBAC
 * allows; it is view-only because mesh configuration is owned by Terraform and would drift.
 */
export class Kiali extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: KialiProps) {
    super(scope, id);
    const placement = systemNodes();
    this.release = new HelmAddon(this, 'helm', {
      releaseName: 'kiali',
      chart: 'kiali-server',
      repository: chartRepositories.kiali,
      version: chartVersions.kialiServer,
      namespace: props.namespace,
      values: {
        auth: { strategy: 'token' },
        deployment: {
          view_only_mode: true,
          // Kiali's own spelling of the scheduling fields.
          node_selector: placement.nodeSelector,
          tolerations: placement.tolerations,
          priority_class_name: props.priorityClassName,
        },
        external_services: {
          istio: { root_namespace: props.namespace },
          prometheus: { url: props.prometheusUrl },
          grafana: { enabled: true, internal_url: props.grafanaUrl },
          tracing: { enabled: true, provider: 'jaeger', internal_url: props.tracingUrl, use_grpc: false },
        },
      },
      dependsOn: props.dependsOn,
    }).release;
  }
}
