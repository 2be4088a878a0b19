import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { SYSTEM_PRIORITY_CLASSES } from '../../../../src/model/priorities';
import { HelmAddon } from '../helm-addon';
import { systemNodes } from '../system-nodes';
import { chartRepositories, chartVersions } from '../versions';

export interface MetricsServerProps {
  readonly namespace: string;
  readonly dependsOn?: ITerraformDependable[];
}

/** metrics-server: the resource metrics API that HorizontalPodAutoscalers (gateway, istiod, tenants) read. */
export class MetricsServer extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: MetricsServerProps) {
    super(scope, id);
    this.release = new HelmAddon(this, 'helm', {
      releaseName: 'metrics-server',
      chart: 'metrics-server',
      repository: chartRepositories.metricsServer,
      version: chartVersions.metricsServer,
      namespace: props.namespace,
      values: {
        // Two replicas and a budget: autoscaling stalls while the metrics API is down.
        replicas: 2,
        podDisruptionBudget: { enabled: true, minAvailable: 1 },
        priorityClassName: SYSTEM_PRIORITY_CLASSES.clusterCritical.name,
        ...systemNodes(),
      },
      dependsOn: props.dependsOn,
    }).release;
  }
}
