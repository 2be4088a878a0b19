import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { HelmAddon } from '../helm-addon';
import { systemNodes } from '../system-nodes';
import { chartRepositories, chartVersions } from '../versions';

export interface ArgoRolloutsProps {
  readonly releaseName: string;
  /** Argo CD's: the controller belongs with the GitOps machinery that writes the Rollouts. */
  readonly namespace: string;
  /** PriorityClass of the controller pods (the platform's). */
  readonly priorityClassName: string;
  /** Resources the release waits for: the namespace, and the Prometheus Operator's CRDs (its ServiceMonitor). */
  readonly dependsOn?: ITerraformDependable[];
}

/** Labels the chart sets on the controller's pods (its selector: chart name and release). */
export const rolloutsControllerPodLabels = (releaseName: string): Record<string, string> => ({
  'app.kubernetes.io/name': 'argo-rollouts',
  'app.kubernetes.io/instance': releaseName,
});

/** Controller replicas (one leads, the other takes over within seconds), and how many stay up through voluntary disruptions. */
const CONTROLLER = { replicas: 2, minAvailable: 1 };

/**
 * Argo Rollouts, which runs every tenant service's canary: the Rollout, the weights of its
 * mesh-internal VirtualService, and the analyses against the platform Prometheus. HA as the chart
 * supports it: two controllers with leader election and a disruption budget, spread over the
 * zones; its metrics scraped by Prometheus. The dashboard is off (it would be an unauthenticated
 * UI with write access to every Rollout); `kubectl argo rollouts` reads and acts with the caller's
 * own rights. On the system nodes at the platform's priority, like every platform component.
 */
export class ArgoRollouts extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: ArgoRolloutsProps) {
    super(scope, id);
    this.release = new HelmAddon(this, 'helm', {
      releaseName: props.releaseName,
      chart: 'argo-rollouts',
      repository: chartRepositories.argo,
      version: chartVersions.argoRollouts,
      namespace: props.namespace,
      values: {
        installCRDs: true,
        // Deleting the release must not delete every tenant's Rollouts with their CRDs.
        keepCRDs: true,
        controller: {
          ...systemNodes(),
          priorityClassName: props.priorityClassName,
          replicas: CONTROLLER.replicas,
          pdb: { enabled: true, minAvailable: CONTROLLER.minAvailable },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' }],
          metrics: { enabled: true, serviceMonitor: { enabled: true } },
        },
        dashboard: { enabled: false },
      },
      dependsOn: props.dependsOn,
    }).release;
  }
}
