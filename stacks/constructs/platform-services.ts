import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { platformNames } from '../../src/model/names';
import { POOL_LABEL } from '../../src/model/node-pools';
import type { PlatformSpec } from '../../src/model/platform-schema';
import type { TierSpec } from '../../src/model/tiers';
import { ArgoCd } from './addons/argo-cd';
import { ArgoRollouts, rolloutsControllerPodLabels } from './addons/argo-rollouts';
import { AwsLoadBalancerController } from './addons/aws-load-balancer-controller';
import { ClusterAutoscaler } from './addons/cluster-autoscaler';
import { Istio } from './addons/istio';
import { JAEGER_OTLP_GRPC_PORT, JAEGER_QUERY_PORT, JAEGER_SERVICE, Jaeger } from './addons/jaeger';
import { Kiali } from './addons/kiali';
import {
  ALERTMANAGER_SERVICE_ACCOUNT,
  GRAFANA_PORT,
  GRAFANA_SERVICE,
  KubePrometheusStack,
  PROMETHEUS_PORT,
  PROMETHEUS_SERVICE,
} from './addons/kube-prometheus-stack';
import { Kyverno } from './addons/kyverno';
import { MetricsServer } from './addons/metrics-server';
import { AlertmanagerPublisher } from './alerting/alertmanager-publisher';
import { MonitoringNetworkPolicies } from './kubernetes/monitoring-network-policies';
import { PlatformNamespaces, type PlatformNamespaceKey } from './kubernetes/platform-namespaces';
import { PriorityClasses } from './kubernetes/priority-classes';
import { MeshPolicies } from './mesh/mesh-policies';
import { TenantGuardrails } from './policy/tenant-guardrails';

export interface PlatformServicesProps {
  readonly platform: PlatformSpec;
  readonly tiers: Record<string, TierSpec>;
  readonly clusterName: string;
  readonly oidcProviderArn: string;
  /** OIDC issuer without https://. */
  readonly oidcIssuer: string;
  readonly vpcId: string;
  readonly region: string;
  /** ALB target group of the Istio ingress gateway (Edge). */
  readonly targetGroupArn: string;
  /** Port the gateway pods serve HTTP on (8080). */
  readonly gatewayPort: number;
  /**
   * Cluster resources that must exist first (cluster, node groups, EKS add-ons).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Kubernetes' own namespace, home of node-level and API add-ons. */
const KUBE_SYSTEM = 'kube-system';

/**
 * What runs in the platform cluster besides tenants: namespaces with Pod Security labels, tier
 * PriorityClasses, the AWS Load Balancer Controller, the Cluster Autoscaler (it owns the node
 * groups' desired sizes), Istio with mesh-wide policies, metrics-server, Kyverno with the
 * tenants' guardrails, Prometheus/Grafana, Jaeger and Kiali, and with GitOps Argo CD, all on the system nodes. Order:
 * namespaces and priority classes first; Istio base, CNI, istiod, gateway; the mesh chart after
 * the gateway and the load balancer controller (TargetGroupBinding CRD); the guardrails after
 * Kyverno (its CRDs and webhook); Kiali after Prometheus, Jaeger and istiod.
 */
export class PlatformServices extends Construct {
  readonly namespaces: PlatformNamespaces;
  readonly priorityClasses: PriorityClasses;
  readonly loadBalancerController: AwsLoadBalancerController;
  readonly istio: Istio;
  readonly meshPolicies: MeshPolicies;
  readonly metricsServer: MetricsServer;
  readonly kubePrometheusStack: KubePrometheusStack;
  readonly jaeger: Jaeger;
  readonly kiali: Kiali;
  /** Everything above, for dependsOn of workloads that need the platform services in place. */
  readonly dependables: ITerraformDependable[];
  readonly kyverno: Kyverno;
  readonly clusterAutoscaler: ClusterAutoscaler;
  readonly tenantGuardrails: TenantGuardrails;
  /** On a platform with GitOps (platform.json `gitops`). */
  readonly argoCd?: ArgoCd;
  /** With a service catalog (platform.json `services`): the tenants' canaries. */
  readonly argoRollouts?: ArgoRollouts;

  constructor(scope: Construct, id: string, props: PlatformServicesProps) {
    super(scope, id);
    validate(props);
    const { platform } = props;
    const names = platformNames(platform);
    const ns = names.namespaces;
    const cluster = props.dependsOn ?? [];

    this.namespaces = new PlatformNamespaces(this, 'namespaces', { platform, dependsOn: cluster });
    /** The cluster and the namespace a release installs into. */
    const into = (key: PlatformNamespaceKey): ITerraformDependable[] => [...cluster, this.namespaces.namespaces[key]];
    this.priorityClasses = new PriorityClasses(this, 'priority-classes', { platform, tiers: props.tiers, dependsOn: cluster });
    const platformPriority = { priorityClassName: names.platformPriorityClass };
    /** Like `into`, for releases whose pods use the platform's PriorityClass. */
    const intoAtPlatformPriority = (key: PlatformNamespaceKey): ITerraformDependable[] => [...into(key), this.priorityClasses.platform];

    this.loadBalancerController = new AwsLoadBalancerController(this, 'aws-load-balancer-controller', {
      clusterName: props.clusterName,
      region: props.region,
      vpcId: props.vpcId,
      targetGroupArn: props.targetGroupArn,
      roleName: names.lbControllerRole,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      namespace: ns.loadBalancer,
      dependsOn: cluster,
    });
    this.metricsServer = new MetricsServer(this, 'metrics-server', { namespace: KUBE_SYSTEM, dependsOn: cluster });
    this.clusterAutoscaler = new ClusterAutoscaler(this, 'cluster-autoscaler', {
      clusterName: names.cluster,
      kubernetesVersion: platform.eks.version,
      region: props.region,
      accountId: platform.aws.accountId,
      roleName: names.clusterAutoscalerRole,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      namespace: KUBE_SYSTEM,
      poolLabel: POOL_LABEL,
      systemPool: 'system',
      dependsOn: cluster,
    });
    this.kyverno = new Kyverno(this, 'kyverno', { namespace: ns.policy, ...platformPriority, dependsOn: intoAtPlatformPriority('policy') });
    this.tenantGuardrails = new TenantGuardrails(this, 'tenant-guardrails', {
      namespace: ns.policy,
      quotaName: names.tenantQuota,
      dependsOn: [...into('policy'), this.kyverno.release],
    });

    this.jaeger = new Jaeger(this, 'jaeger', { namespace: ns.monitoring, dependsOn: into('monitoring') });
    const jaegerHost = `${JAEGER_SERVICE}.${ns.monitoring}.svc.cluster.local`;
    this.istio = new Istio(this, 'istio', {
      namespace: ns.istio,
      cniNamespace: KUBE_SYSTEM,
      gatewayName: names.ingressGatewayService,
      gatewayLabels: names.ingressGatewayLabels,
      gatewayPort: props.gatewayPort,
      tracing: { service: jaegerHost, port: JAEGER_OTLP_GRPC_PORT },
      dependsOn: into('istio'),
    });
    this.meshPolicies = new MeshPolicies(this, 'mesh', {
      platform,
      targetGroupArn: props.targetGroupArn,
      gatewayPort: props.gatewayPort,
      tracingHost: `${ns.monitoring}/${jaegerHost}`,
      dependsOn: [...into('istio'), this.istio.gateway, this.loadBalancerController.release],
    });

    const alertmanager = new AlertmanagerPublisher(this, 'alertmanager', {
      platform,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      namespace: ns.monitoring,
      serviceAccount: ALERTMANAGER_SERVICE_ACCOUNT,
    });
    this.kubePrometheusStack = new KubePrometheusStack(this, 'kube-prometheus-stack', {
      namespace: ns.monitoring,
      istioNamespace: ns.istio,
      ...platformPriority,
      alerting: { roleArn: alertmanager.role.arn, platformTopicArn: alertmanager.platformTopic.arn, region: props.region },
      dependsOn: [...intoAtPlatformPriority('monitoring'), ...alertmanager.role.permissions],
    });
    const monitoringNetwork = new MonitoringNetworkPolicies(this, 'monitoring-network-policies', {
      namespace: ns.monitoring,
      kialiNamespace: ns.istio,
      vpcCidr: platform.network.vpcCidr,
      rolloutsController:
        platform.gitops && platform.services.length
          ? { namespace: ns.gitops, podLabels: rolloutsControllerPodLabels(names.argoRolloutsRelease) }
          : undefined,
      dependsOn: into('monitoring'),
    });
    const url = (service: string, namespace: string, port: number) => `http://${service}.${namespace}.svc.cluster.local:${port}`;
    this.kiali = new Kiali(this, 'kiali', {
      namespace: ns.istio,
      prometheusUrl: url(PROMETHEUS_SERVICE, ns.monitoring, PROMETHEUS_PORT),
      grafanaUrl: url(GRAFANA_SERVICE, ns.monitoring, GRAFANA_PORT),
      tracingUrl: url(JAEGER_SERVICE, ns.monitoring, JAEGER_QUERY_PORT),
      ...platformPriority,
      dependsOn: [...intoAtPlatformPriority('istio'), this.kubePrometheusStack.release, this.jaeger.release, this.istio.istiod],
    });

    if (platform.gitops) {
      this.argoCd = new ArgoCd(this, 'argo-cd', {
        releaseName: names.argoCdRelease,
        namespace: ns.gitops,
        gitops: platform.gitops,
        ...platformPriority,
        // Its ServiceMonitor needs the Prometheus Operator's CRDs.
        dependsOn: [...intoAtPlatformPriority('gitops'), this.kubePrometheusStack.release],
      });
    }
    if (platform.gitops && platform.services.length) {
      this.argoRollouts = new ArgoRollouts(this, 'argo-rollouts', {
        releaseName: names.argoRolloutsRelease,
        namespace: ns.gitops,
        ...platformPriority,
        dependsOn: [...intoAtPlatformPriority('gitops'), this.kubePrometheusStack.release],
      });
    }

    this.dependables = [
      ...this.namespaces.all,
      this.priorityClasses.platform,
      ...Object.values(this.priorityClasses.classes),
      this.loadBalancerController.release,
      this.metricsServer.release,
      this.clusterAutoscaler.release,
      this.kyverno.release,
      this.tenantGuardrails.release,
      this.istio.base,
      this.istio.cni,
      this.istio.istiod,
      this.istio.gateway,
      this.meshPolicies.release,
      this.kubePrometheusStack.release,
      this.jaeger.release,
      this.kiali.release,
      ...monitoringNetwork.policies,
      ...(this.argoCd ? [this.argoCd.release] : []),
      ...(this.argoRollouts ? [this.argoRollouts.release] : []),
    ];
  }
}

function validate(props: PlatformServicesProps): void {
  const port = props.gatewayPort;
  if (!Number.isInteger(port) || port < 1024 || port > 65535 || (port >= 15000 && port <= 15099)) {
    throw new Error(`gatewayPort ${port} is not usable: use an unprivileged port (1024-65535) outside Istio's reserved 15000-15099, e.g. 8080`);
  }
}
