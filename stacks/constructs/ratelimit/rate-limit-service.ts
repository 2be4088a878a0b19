import { DataAwsElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/data-aws-elasticache-replication-group';
import { DataAwsSecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version';
import type { Release } from '@cdktf/provider-helm/lib/release';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { PLATFORM_PRIORITY_CLASS, platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import {
  RATE_LIMIT_DESCRIPTOR_LABEL,
  RATE_LIMIT_DOMAIN,
  RATE_LIMIT_GRPC_PORT,
  RATE_LIMIT_NAMESPACE_LABEL,
  TENANT_STAT_KEY1,
  defaultDescriptorFile,
  descriptorAdmission,
  descriptorFileKey,
  istioOutboundCluster,
} from '../../../src/model/rate-limit';
import type { TierSpec } from '../../../src/model/tiers';
import { templatePath } from '../../../src/paths';
import { localChartRelease } from '../addons/local-chart';
import { imageVersions } from '../addons/versions';
import { REDIS_PORT } from './rate-limit-store';
import { validatingAdmissionPolicy } from '../kubernetes/validating-admission-policy';
import { POOL_LABEL, SYSTEM_TOLERATION, poolSelector } from '../../../src/model/node-pools';

export interface RateLimitServiceProps {
  readonly platform: PlatformSpec;
  /** The fallback limit is the smallest tier's rate. */
  readonly tiers: Record<string, TierSpec>;
  /** Port the ingress gateway serves HTTP on: its listener gets the filter. */
  readonly gatewayPort: number;
  /** The namespaces, Istio (CRDs, gateway) and kube-prometheus-stack (monitoring CRDs). */
  readonly dependsOn?: ITerraformDependable[];
}

export const RATE_LIMIT_CHART_DIR = templatePath('charts', 'platform-ratelimit');

/**
 * Whether the gateway lets a request through when the rate limit service cannot answer in time:
 * it does (fail open). The limit protects tenants from each other; a rate limit outage must not
 * become an outage of every tenant at once. Per-pod local limits and the WAF's per-IP rule still
 * hold meanwhile, and an alert fires.
 */
export const RATE_LIMIT_FAILURE_MODE_DENY = false;
/** How long the gateway waits for a decision (the service answers from Redis in the same VPC). */
export const RATE_LIMIT_TIMEOUT = '0.05s';

const PORTS = { http: 8080, grpc: RATE_LIMIT_GRPC_PORT, metrics: 9090, configSyncHealth: 8090 } as const;
const REPLICAS = { min: 3, max: 10, cpuPercent: 70 } as const;
const RUNTIME = { root: '/data', subdirectory: 'ratelimit', appDirectory: 'config' } as const;
/** Key of the AUTH token in the Kubernetes Secret, the name of ratelimit's variable. */
const AUTH_KEY = 'REDIS_AUTH';

/**
 * envoyproxy/ratelimit for the ingress gateway (local chart templates/charts/platform-ratelimit:
 * Deployment with autoscaling, disruption budget and spread, restricted pods, NetworkPolicy,
 * PodMonitor, alerts, and the gateway's EnvoyFilter), the Redis AUTH token copied from Secrets
 * Manager into a Kubernetes Secret, the fallback descriptor, and an admission policy over the
 * descriptor ConfigMaps tenant stacks write.
 *
 * The token is written by Terraform (read by name from the secret the platform stack keeps):
 * one source of truth with no extra controller in the cluster, and a rotation reaches the pods
 * on the next apply of this stack (the secret version rolls them).
 */
export class RateLimitService extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: RateLimitServiceProps) {
    super(scope, id);
    const { platform } = props;
    const names = platformNames(platform);
    const ns = names.namespaces;
    const namespace = ns.rateLimit;
    const [gatewayNamespace] = names.gateway.split('/');

    // Found by name, like every platform resource outside this stack.
    const redis = new DataAwsElasticacheReplicationGroup(this, 'redis', { replicationGroupId: names.rateLimitRedis });
    const token = new DataAwsSecretsmanagerSecretVersion(this, 'redis-auth-token', { secretId: names.rateLimitRedisAuthSecret });

    const secret = new SecretV1(this, 'redis-auth', {
      metadata: { name: names.rateLimitRedisSecret, namespace, labels: { 'app.kubernetes.io/managed-by': 'tenantctl' } },
      type: 'Opaque',
      data: { [AUTH_KEY]: token.secretString },
      dependsOn: props.dependsOn,
    });

    const admission = this.descriptorAdmission(namespace, names.rateLimitDefaultDescriptor, props.dependsOn);
    const fallback = new ConfigMapV1(this, 'default-descriptor', {
      metadata: {
        name: names.rateLimitDefaultDescriptor,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'tenantctl', [RATE_LIMIT_DESCRIPTOR_LABEL]: 'true' },
      },
      data: { [descriptorFileKey(names.rateLimitDefaultDescriptor)]: defaultDescriptorFile(smallestTierRate(props.tiers)) },
      dependsOn: [...(props.dependsOn ?? []), ...admission],
    });

    this.release = localChartRelease(this, {
      dir: RATE_LIMIT_CHART_DIR,
      namespace,
      values: {
        name: names.rateLimitService,
        namespace,
        images: { ratelimit: imageVersions.ratelimit, configSync: imageVersions.k8sSidecar },
        replicas: REPLICAS,
        ports: PORTS,
        config: {
          domain: RATE_LIMIT_DOMAIN,
          descriptorLabel: RATE_LIMIT_DESCRIPTOR_LABEL,
          ...RUNTIME,
          directory: `${RUNTIME.root}/${RUNTIME.subdirectory}/${RUNTIME.appDirectory}`,
        },
        redis: { url: `${redis.primaryEndpointAddress}:${REDIS_PORT}`, secret: secret.metadata.name, authVersion: token.versionId },
        gateway: {
          namespace: gatewayNamespace,
          port: props.gatewayPort,
          selector: names.ingressGatewayLabels,
          rateLimitCluster: istioOutboundCluster(`${names.rateLimitService}.${namespace}.svc.cluster.local`, RATE_LIMIT_GRPC_PORT),
          timeout: RATE_LIMIT_TIMEOUT,
          failureModeDeny: RATE_LIMIT_FAILURE_MODE_DENY,
        },
        monitoring: { namespace: ns.monitoring },
        scheduling: {
          priorityClassName: PLATFORM_PRIORITY_CLASS,
          nodeSelector: { key: POOL_LABEL, value: poolSelector('system')[POOL_LABEL] },
          toleration: { ...SYSTEM_TOLERATION },
        },
        metrics: { tenantKey1: TENANT_STAT_KEY1, namespaceLabel: RATE_LIMIT_NAMESPACE_LABEL },
      },
      // The first sync must find the fallback; the pods need the token.
      dependsOn: [...(props.dependsOn ?? []), secret, fallback],
    });
  }

  /**
   * A ValidatingAdmissionPolicy (built in, so kubernetes_manifest plans it) over the labelled
   * ConfigMaps of the rate limit namespace. Fields the API server defaults are set explicitly.
   */
  private descriptorAdmission(namespace: string, defaultName: string, dependsOn: ITerraformDependable[] = []): Manifest[] {
    const name = 'tenantctl-ratelimit-descriptors';
    const rule = descriptorAdmission(defaultName);
    const match = {
      matchPolicy: 'Equivalent',
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
      objectSelector: { matchExpressions: [{ key: RATE_LIMIT_DESCRIPTOR_LABEL, operator: 'Exists' }] },
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'], scope: 'Namespaced' }],
    };
    return validatingAdmissionPolicy(this, 'descriptor-policy', {
      name,
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: match,
        variables: rule.variables,
        validations: [{ expression: rule.expression, message: rule.message, reason: 'Invalid' }],
      },
      dependsOn,
    });
  }
}

function smallestTierRate(tiers: Record<string, TierSpec>): number {
  const rates = Object.values(tiers).map((t) => t.requestsPerSecond);
  if (!rates.length) throw new Error('RateLimitService needs at least one tier: the fallback limit is the smallest tier rate');
  return Math.min(...rates);
}
