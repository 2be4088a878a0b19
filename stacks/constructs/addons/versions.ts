/**
 * Every Helm chart tenantctl installs, pinned to an exact version: an upgrade is a one-line
 * change here, reviewed in a pull request like any other change. Istio 1.29 supports Kubernetes
 * 1.31 to 1.35, the EKS versions tenantctl accepts (src/model/eks-versions.ts); Kiali 2.24 is
 * tested with it.
 */
export const chartVersions = {
  awsLoadBalancerController: '1.17.1',
  /** base, cni, istiod and gateway are released together and must share one version. */
  istio: '1.29.2',
  metricsServer: '3.13.0',
  kubePrometheusStack: '83.4.0',
  kialiServer: '2.24.0',
  jaeger: '4.11.1',
  /** Kyverno 1.15 (tenant scheduling policies need 1.13 or later). */
  kyverno: '3.5.2',
  /** Chart only: the image follows the cluster's Kubernetes minor (cluster-autoscaler/image.ts). */
  clusterAutoscaler: '9.59.0',
  /** Argo CD v3.4 (chart 10.1), with its redis-ha subchart 4.38. */
  argoCd: '10.1.1',
  /** Argo Rollouts v1.9 (chart 2.41). */
  argoRollouts: '2.41.0',
} as const;

/** Helm repositories of the charts above (official upstream repositories only). */
export const chartRepositories = {
  eks: 'https://aws.github.io/eks-charts',
  istio: 'https://istio-release.storage.googleapis.com/charts',
  metricsServer: 'https://kubernetes-sigs.github.io/metrics-server',
  prometheusCommunity: 'https://prometheus-community.github.io/helm-charts',
  kiali: 'https://kiali.org/helm-charts',
  jaeger: 'https://jaegertracing.github.io/helm-charts',
  kyverno: 'https://kyverno.github.io/kyverno',
  autoscaler: 'https://kubernetes.github.io/autoscaler',
  argo: 'https://argoproj.github.io/argo-helm',
} as const;

/**
 * Images that tenantctl's own charts run, pinned to exact release tags. envoyproxy/ratelimit
 * publishes no versioned releases, only one image per commit to main tagged with its short SHA:
 * 1e50889b (June 2026) is the one Envoy Gateway v1.8.3 runs. k8s-sidecar 2.10.1 is the tag the
 * Grafana chart (12.11) runs for its dashboard sidecar.
 */
export const imageVersions = {
  ratelimit: 'docker.io/envoyproxy/ratelimit:1e50889b',
  k8sSidecar: 'quay.io/kiwigrid/k8s-sidecar:2.10.1',
} as const;
