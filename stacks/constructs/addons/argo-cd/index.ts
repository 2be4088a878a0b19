import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { APPLICATION_LABELS } from '../../../../src/model/canary';
import type { GitopsSpec } from '../../../../src/model/service-catalog';
import { HelmAddon } from '../helm-addon';
import { systemNodes } from '../system-nodes';
import { chartRepositories, chartVersions } from '../versions';

export interface ArgoCdProps {
  readonly releaseName: string;
  readonly namespace: string;
  /** PriorityClass of every Argo CD pod (the platform's). */
  readonly priorityClassName: string;
  /** The platform's GitOps settings; `sso` turns on OIDC sign-in. */
  readonly gitops: GitopsSpec;
  readonly dependsOn?: ITerraformDependable[];
}

/** Replicas of the stateless components, and how many stay up through voluntary disruptions. */
const STATELESS = { replicas: 2, minAvailable: 1 };

/** The key of argocd-secret that holds the OIDC client secret (`$<key>` in oidc.config). */
export const OIDC_CLIENT_SECRET_KEY = 'oidc.clientSecret';

/**
 * Argo CD, the only writer of the tenants' workloads: tenant stacks give it one AppProject and
 * one Application per catalog service. HA where the chart supports it: API server, repo server
 * and ApplicationSet controller twice with disruption budgets, Redis as redis-ha (three Redis
 * with Sentinel behind HAProxy); the application controller stays one replica, as Argo CD shards
 * it by cluster and there is one. Reached only inside the cluster (ClusterIP, through a
 * port-forward): nothing public. Dex is off; with `gitops.sso` Argo CD signs people in with OIDC
 * itself and its local admin is off, the client secret being `oidc.clientSecret` of argocd-secret.
 * Every pod on the system nodes at the platform's priority, like every platform component. The
 * application controller's metrics (with the Applications' service, version and wave labels) feed
 * the tenants' wave gates.
 */
export class ArgoCd extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: ArgoCdProps) {
    super(scope, id);
    const placement = { ...systemNodes(), priorityClassName: props.priorityClassName };
    const stateless = { replicas: STATELESS.replicas, pdb: { enabled: true, minAvailable: STATELESS.minAvailable } };
    const sso = props.gitops.sso;
    this.release = new HelmAddon(this, 'helm', {
      releaseName: props.releaseName,
      chart: 'argo-cd',
      repository: chartRepositories.argo,
      version: chartVersions.argoCd,
      namespace: props.namespace,
      values: {
        global: placement,
        dex: { enabled: false },
        configs: {
          cm: sso
            ? {
                url: sso.url,
                'admin.enabled': false,
                'oidc.config': JSON.stringify({
                  name: sso.oidc.name,
                  issuer: sso.oidc.issuer,
                  clientID: sso.oidc.clientId,
                  clientSecret: `$${OIDC_CLIENT_SECRET_KEY}`,
                  requestedScopes: ['openid', 'profile', 'email', 'groups'],
                }),
              }
            : { 'admin.enabled': true },
        },
        controller: {
          replicas: 1,
          // Scraped by Prometheus, with the Application labels the tenants' wave gates read (argocd_app_labels).
          metrics: {
            enabled: true,
            serviceMonitor: { enabled: true },
            applicationLabels: { enabled: true, labels: Object.values(APPLICATION_LABELS) },
          },
        },
        server: { ...stateless, service: { type: 'ClusterIP' }, ingress: { enabled: false } },
        repoServer: stateless,
        applicationSet: stateless,
        'redis-ha': {
          enabled: true,
          // Soft spreading: the system node group may run on two nodes; the chart's hard anti-affinity needs three.
          hardAntiAffinity: false,
          ...placement,
          haproxy: { hardAntiAffinity: false, ...placement },
        },
      },
      dependsOn: props.dependsOn,
    }).release;
  }
}
