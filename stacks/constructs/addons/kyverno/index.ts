import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { TENANT_LABEL } from '../../../../src/model/labels';
import { SYSTEM_PRIORITY_CLASSES } from '../../../../src/model/priorities';
import { HelmAddon } from '../helm-addon';
import { systemNodes } from '../system-nodes';
import { chartRepositories, chartVersions } from '../versions';

export interface KyvernoProps {
  readonly namespace: string;
  /** PriorityClass of the background, cleanup and reports controllers (the platform's). */
  readonly priorityClassName: string;
  readonly dependsOn?: ITerraformDependable[];
}

/** Admission controller replicas, and how many must stay up through voluntary disruptions. */
const ADMISSION_REPLICAS = { replicas: 3, minAvailable: 2 };

/**
 * Kyverno: the admission controller behind each tenant's scheduling policy (PriorityClass of its
 * tier, node placement, sidecar size) and the tenants' mesh guardrails. With `failurePolicy: Fail`
 * a missing admission controller blocks pod creation, so it cannot be starved by tenants: three
 * replicas spread over zones with a disruption budget, on the system nodes (every pod of the
 * chart, hooks included), at system-cluster-critical. Its webhooks see tenant namespaces only:
 * no platform pod waits for Kyverno, and nothing tenantctl enforces concerns other namespaces.
 */
export class Kyverno extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: KyvernoProps) {
    super(scope, id);
    const controller = (replicas: number) => ({ replicas, priorityClassName: props.priorityClassName });
    this.release = new HelmAddon(this, 'helm', {
      releaseName: 'kyverno',
      chart: 'kyverno',
      repository: chartRepositories.kyverno,
      version: chartVersions.kyverno,
      namespace: props.namespace,
      values: {
        // Every deployment and hook job of the chart falls back to these.
        global: systemNodes(),
        config: { webhooks: { namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: 'Exists' }] } } },
        admissionController: {
          replicas: ADMISSION_REPLICAS.replicas,
          podDisruptionBudget: { enabled: true, minAvailable: ADMISSION_REPLICAS.minAvailable },
          priorityClassName: SYSTEM_PRIORITY_CLASSES.clusterCritical.name,
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: { 'app.kubernetes.io/component': 'admission-controller', 'app.kubernetes.io/instance': 'kyverno' } },
            },
          ],
        },
        backgroundController: controller(2),
        cleanupController: controller(2),
        reportsController: controller(2),
        // Exceptions would let a tenant opt out of its own scheduling policy.
        features: { policyExceptions: { enabled: false } },
      },
      dependsOn: props.dependsOn,
    }).release;
  }
}
