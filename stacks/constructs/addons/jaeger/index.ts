import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { HelmAddon } from '../helm-addon';
import { systemNodes } from '../system-nodes';
import { chartRepositories, chartVersions } from '../versions';

export interface JaegerProps {
  readonly namespace: string;
  readonly dependsOn?: ITerraformDependable[];
}

/** Service name of Jaeger (fixed with fullnameOverride so other charts can point at it). */
export const JAEGER_SERVICE = 'jaeger';
export const JAEGER_OTLP_GRPC_PORT = 4317;
export const JAEGER_QUERY_PORT = 16686;
const JAEGER_RELEASE = 'jaeger';
/** The chart's selector labels of the all-in-one Deployment's pods (chart name, release, component). */
export const JAEGER_POD_LABELS = {
  'app.kubernetes.io/name': 'jaeger',
  'app.kubernetes.io/instance': JAEGER_RELEASE,
  'app.kubernetes.io/component': 'all-in-one',
} as const;

/**
 * Jaeger v2 all-in-one: receives spans from the Istio proxies over OTLP and serves the query UI.
 * It keeps traces in memory (bounded, lost on restart): traces are for debugging recent requests;
 * long-term telemetry lives in Prometheus. It runs on the system nodes; its chart takes no
 * priority class, so it keeps the default priority, which only platform pods share there.
 */
export class Jaeger extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: JaegerProps) {
    super(scope, id);
    this.release = new HelmAddon(this, 'helm', {
      releaseName: JAEGER_RELEASE,
      chart: 'jaeger',
      repository: chartRepositories.jaeger,
      version: chartVersions.jaeger,
      namespace: props.namespace,
      values: {
        fullnameOverride: JAEGER_SERVICE,
        jaeger: {
          resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '2Gi' } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true },
          ...systemNodes(),
        },
      },
      dependsOn: props.dependsOn,
    }).release;
  }
}
