import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { SYSTEM_TOLERATION } from '../../../../src/model/node-pools';
import { partitionOf } from '../../../../src/model/regions';
import { IrsaRole } from '../../identity/irsa-role';
import { HelmAddon } from '../helm-addon';
import { chartRepositories, chartVersions } from '../versions';
import { autoDiscoveryTagKeys } from './asg-tags';
import { clusterAutoscalerStatements } from './iam-policy';
import { clusterAutoscalerImageTag } from './image';

export interface ClusterAutoscalerProps {
  /** Name of the EKS cluster: groups are discovered, and may be resized, by its tag. */
  readonly clusterName: string;
  /** Kubernetes version of the cluster (`1.34`): picks the autoscaler of the same minor. */
  readonly kubernetesVersion: string;
  readonly region: string;
  /** Account of the cluster and its node groups. */
  readonly accountId: string;
  readonly roleName: string;
  readonly oidcProviderArn: string;
  /** OIDC issuer without https://. */
  readonly oidcIssuer: string;
  /** Must exist already (kube-system). */
  readonly namespace: string;
  /**
   * Node label that names each node group's pool (`tenantctl.io/pool`). Groups with the same value
   * are balanced: the tenants On-Demand and Spot groups grow together.
   */
  readonly poolLabel: string;
  /** Pool the autoscaler runs in (`system`): never on the tenant nodes it removes. */
  readonly systemPool: string;
  /**
   * Resources the release must wait for (cluster access, node groups, CoreDNS).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = 'cluster-autoscaler';

/**
 * Scale-down behaviour, set explicitly so that an image upgrade cannot change it: a node whose
 * Pods request less than half of it for 10 minutes is drained and removed, and none is removed
 * within 10 minutes of a scale-up (capacity that was just needed is not given back at once).
 */
const SCALE_DOWN = {
  'scale-down-utilization-threshold': 0.5,
  'scale-down-unneeded-time': '10m',
  'scale-down-delay-after-add': '10m',
} as const;

/**
 * Kubernetes Cluster Autoscaler with an IRSA role, for the EKS managed node groups of one cluster.
 * - Discovery by the tags EKS sets on every managed node group's Auto Scaling group, so new
 *   groups (a dedicated tenant's) are picked up without a change here.
 * - `least-waste`: the groups differ in size (system, tenants, dedicated), and the expander picks
 *   the one whose new node fits the pending Pods with the least idle CPU and memory.
 * - Balancing by `poolLabel` only: the tenants On-Demand and Spot groups differ in labels EKS sets
 *   (capacity type, instance type, launch template), so the built-in similarity test would never
 *   pair them; groups of one pool have one size (checked in the platform schema).
 * - `skip-nodes-with-system-pods=false`: every kube-system Deployment tenantctl runs (CoreDNS, EBS
 *   CSI, metrics-server, load balancer controller, this) has a PodDisruptionBudget, so draining
 *   is safe; with the default, one CoreDNS replica on a tenant node would pin that node forever.
 * - `skip-nodes-with-local-storage=false`: every Pod in the mesh mounts emptyDirs (the Istio
 *   sidecar's), so the default would never remove a tenant node; durable data lives on volumes.
 * - Two replicas (one leader) with a budget, `system-cluster-critical`, on the system nodes.
 */
export class ClusterAutoscaler extends Construct {
  readonly role: IrsaRole;
  readonly release: Release;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    const imageTag = clusterAutoscalerImageTag(props.kubernetesVersion);
    this.role = new IrsaRole(this, 'role', {
      roleName: props.roleName,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      namespace: props.namespace,
      serviceAccount: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
      statements: clusterAutoscalerStatements({
        partition: partitionOf(props.region),
        region: props.region,
        accountId: props.accountId,
        clusterName: props.clusterName,
      }),
    });
    this.release = new HelmAddon(this, 'helm', {
      releaseName: 'cluster-autoscaler',
      chart: 'cluster-autoscaler',
      repository: chartRepositories.autoscaler,
      version: chartVersions.clusterAutoscaler,
      namespace: props.namespace,
      values: {
        cloudProvider: 'aws',
        // Also spares the autoscaler the instance metadata service, which the nodes' hop limit of 1 keeps from Pods.
        awsRegion: props.region,
        autoDiscovery: { clusterName: props.clusterName, tags: autoDiscoveryTagKeys(props.clusterName) },
        image: { tag: imageTag },
        extraArgs: {
          expander: 'least-waste',
          'balance-similar-node-groups': true,
          'balancing-label': props.poolLabel,
          'skip-nodes-with-system-pods': false,
          'skip-nodes-with-local-storage': false,
          ...SCALE_DOWN,
        },
        replicaCount: 2,
        podDisruptionBudget: { maxUnavailable: 1 },
        priorityClassName: 'system-cluster-critical',
        nodeSelector: { [props.poolLabel]: props.systemPool },
        // The system nodes are tainted: only platform pods tolerate them.
        tolerations: [{ ...SYSTEM_TOLERATION }],
        rbac: {
          serviceAccount: {
            create: true,
            name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
            annotations: { 'eks.amazonaws.com/role-arn': this.role.arn },
          },
        },
        // Its cache of Pods and nodes grows with the cluster: headroom above the request, no CPU throttling.
        resources: { requests: { cpu: '100m', memory: '600Mi' }, limits: { memory: '1Gi' } },
        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      },
      // The autoscaler calls AWS as soon as it starts: its role's policy must exist by then.
      dependsOn: [...(props.dependsOn ?? []), ...this.role.permissions],
    }).release;
  }
}
