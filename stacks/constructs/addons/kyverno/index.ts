import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { HelmAddon } from '../helm-addon';
import { chartRepositories, chartVersions } from '../versions';

export interface KyvernoProps {
  readonly namespace: string;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Kyverno: the admission controller behind each tenant's scheduling policy (PriorityClass of its
 * tier, dedicated nodes for enterprise). Highly available, because with `failurePolicy: Fail` a
 * missing admission controller would block pod creation in tenant namespaces.
 */
export class Kyverno extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: KyvernoProps) {
    super(scope, id);
    this.release = new HelmAddon(this, 'helm', {
      releaseName: 'kyverno',
      chart: 'kyverno',
      repository: chartRepositories.kyverno,
      version: chartVersions.kyverno,
      namespace: props.namespace,
      values: {
        admissionController: { replicas: 3, podDisruptionBudget: { enabled: true, minAvailable: 2 } },
        backgroundController: { replicas: 2 },
        cleanupController: { replicas: 2 },
        reportsController: { replicas: 2 },
        // Exceptions would let a tenant opt out of its own scheduling policy.
        features: { policyExceptions: { enabled: false } },
      },
      dependsOn: props.dependsOn,
    }).release;
  }
}
