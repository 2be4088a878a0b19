import { platformNames, tenantIdOfStack, tenantNamespace } from '../../model/names';
import { at, manifests, namespaceOf, type Json } from '../json';
import { platformReleases, valueAt } from '../platform-charts';
import type { Rule, Violation } from '../types';

/**
 * The monitoring namespace's side of tenant isolation: what a tenant writes for Prometheus reads
 * its own namespace's series only.
 */

/** Namespaces are the same for every platform; the name only needs a platform shape. */
const MONITORING = platformNames({ name: 'x', environment: 'x', aws: { region: 'us-east-1', accountId: '000000000000', serviceAccounts: [] } })
  .namespaces.monitoring;

export const prometheusEnforcesNamespaces: Rule = {
  id: 'TC-MON-001',
  title: "Prometheus confines every tenant's rules to its own namespace's series",
  severity: 'error',
  rationale:
    "A tenant pipeline writes its PrometheusRule's expressions itself: unless prometheus-operator enforces the namespace label (enforcedNamespaceLabel) on them, a recording rule can copy any tenant's series, or an alert's annotations read them out to Alertmanager's receivers. Enforcement holds only for rules outside the namespaces excluded from it, so tenant rules must live in the tenant's namespace, not in the monitoring namespace the platform's own rules are excluded in.",
  remediation:
    "Keep kube-prometheus-stack's prometheus.prometheusSpec.enforcedNamespaceLabel at 'namespace' with excludedFromEnforcement naming only the monitoring namespace (KubePrometheusStack), and write a tenant's PrometheusRule in its own namespace (TenantObservability).",
  check: (ctx) => {
    const out: Violation[] = [];
    for (const stack of ctx.stacks) {
      for (const release of platformReleases(stack).filter((r) => r.chart === 'kube-prometheus-stack')) {
        const label = valueAt(release.values, 'prometheus.prometheusSpec.enforcedNamespaceLabel');
        if (label !== 'namespace') {
          out.push({
            stack: stack.name,
            address: release.ref.address,
            message: `prometheus.prometheusSpec.enforcedNamespaceLabel is ${JSON.stringify(label)}, not "namespace": tenant rules read every namespace's series`,
          });
          continue;
        }
        const excluded = valueAt(release.values, 'prometheus.prometheusSpec.excludedFromEnforcement');
        const beyond = (Array.isArray(excluded) ? excluded : []).filter((e) => valueAt(e as Json, 'namespace') !== MONITORING);
        if (beyond.length) {
          out.push({
            stack: stack.name,
            address: release.ref.address,
            message: `excludedFromEnforcement exempts ${JSON.stringify(beyond)}: only the monitoring namespace's own objects may be exempt`,
          });
        }
      }
      const id = tenantIdOfStack(stack.name);
      if (!id) continue;
      for (const rule of manifests(stack, 'PrometheusRule')) {
        const namespace = namespaceOf(rule);
        if (namespace !== tenantNamespace(id)) {
          out.push({
            stack: stack.name,
            address: rule.address,
            message: `PrometheusRule ${String(at(rule.manifest, 'metadata.name'))} of tenant ${id} is in namespace ${namespace}, not ${tenantNamespace(id)}: Prometheus would not confine its expressions to the tenant's series`,
          });
        }
      }
    }
    return out;
  },
};

export const monitoringIsolationRules: readonly Rule[] = [prometheusEnforcesNamespaces];
