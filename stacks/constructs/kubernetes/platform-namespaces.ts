import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { albForwardsToGateway } from '../../../src/model/edge';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';

export interface PlatformNamespacesProps {
  readonly platform: PlatformSpec;
  readonly dependsOn?: ITerraformDependable[];
}

/** Pod Security Admission levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';
export type PlatformNamespaceKey = 'istio' | 'monitoring' | 'platform' | 'sharedServices' | 'policy' | 'rateLimit';

/** Label naming a platform namespace's role; NetworkPolicies may select namespaces by it. */
export const NAMESPACE_ROLE_LABEL = 'tenantctl.io/namespace-role';

/**
 * The enforced Pod Security level of each platform namespace: restricted unless a chart needs
 * more. istio-system runs istiod, the gateways and Kiali, whose charts set no seccomp profile on
 * every container (baseline); monitoring runs node-exporter with host network and PID (privileged).
 */
export const NAMESPACE_POD_SECURITY: Readonly<Record<PlatformNamespaceKey, PodSecurityLevel>> = {
  istio: 'baseline',
  monitoring: 'privileged',
  platform: 'restricted',
  sharedServices: 'restricted',
  // Kyverno's controllers are restricted-compliant, but its chart's hooks are not guaranteed to be.
  policy: 'baseline',
  rateLimit: 'restricted',
};
const ROLES: Readonly<Record<PlatformNamespaceKey, string>> = {
  istio: 'mesh',
  monitoring: 'monitoring',
  platform: 'platform',
  sharedServices: 'shared-services',
  policy: 'policy',
  rateLimit: 'rate-limit',
};
/** Labels beyond Pod Security and role. */
const EXTRA_LABELS: Readonly<Partial<Record<PlatformNamespaceKey, Record<string, string>>>> = {
  sharedServices: { 'istio-injection': 'enabled' },
};
/**
 * The ingress gateway pods become ready only once healthy in the ALB target group (load balancer
 * controller). Only while a listener forwards to the group: targets of an unused group stay
 * `unused`, so new gateway pods would never become ready.
 */
const READINESS_GATE_LABELS = { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' };

/**
 * The namespaces platform components run in, created before any chart (releases never create
 * namespaces) so each carries its Pod Security labels from the start. Every namespace warns and
 * audits at restricted, so anything weaker than restricted is visible in events and audit logs.
 */
export class PlatformNamespaces extends Construct {
  readonly namespaces: Readonly<Record<PlatformNamespaceKey, NamespaceV1>>;
  /** All namespace resources, for dependsOn. */
  readonly all: NamespaceV1[];

  constructor(scope: Construct, id: string, props: PlatformNamespacesProps) {
    super(scope, id);
    const names = platformNames(props.platform).namespaces;
    const keys = Object.keys(NAMESPACE_POD_SECURITY) as PlatformNamespaceKey[];
    const entries = keys.map((key) => {
      const name = names[key];
      const level = NAMESPACE_POD_SECURITY[key];
      const ns = new NamespaceV1(this, name, {
        metadata: {
          name,
          labels: {
            'pod-security.kubernetes.io/enforce': level,
            'pod-security.kubernetes.io/enforce-version': 'latest',
            'pod-security.kubernetes.io/warn': 'restricted',
            'pod-security.kubernetes.io/audit': 'restricted',
            [NAMESPACE_ROLE_LABEL]: ROLES[key],
            ...EXTRA_LABELS[key],
            ...(key === 'istio' && albForwardsToGateway(props.platform) ? READINESS_GATE_LABELS : {}),
          },
        },
        dependsOn: props.dependsOn,
      });
      return [key, ns] as const;
    });
    this.namespaces = Object.fromEntries(entries) as Record<PlatformNamespaceKey, NamespaceV1>;
    this.all = entries.map(([, ns]) => ns);
  }
}
