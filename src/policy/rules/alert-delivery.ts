import { ALERTMANAGER_CONFIG_MATCHER_STRATEGY } from '../../model/alert-delivery';
import { tenantIdOfStack, tenantNamespace } from '../../model/names';
import { at, manifests, namespaceOf, type Json } from '../json';
import { platformReleases, valueAt } from '../platform-charts';
import type { Rule, Violation } from '../types';

/** The label prometheus-operator matches an AlertmanagerConfig's alerts on (OnNamespace). */
const NAMESPACE_LABEL = 'namespace';

/** Every `namespace` matcher of a route and its child routes, as `<op><value>`, whose value is not `namespace`. */
function foreignNamespaceMatchers(route: unknown, namespace: string): string[] {
  const matchers = at(route, 'matchers');
  const own = (Array.isArray(matchers) ? matchers : [])
    .filter((m) => at(m, 'name') === NAMESPACE_LABEL && !((at(m, 'matchType') ?? '=') === '=' && at(m, 'value') === namespace))
    .map((m) => `${String(at(m, 'matchType') ?? '=')}${JSON.stringify(at(m, 'value'))}`);
  const routes = at(route, 'routes');
  return [...own, ...(Array.isArray(routes) ? routes : []).flatMap((r) => foreignNamespaceMatchers(r, namespace))];
}

export const tenantAlertsDelivered: Rule = {
  id: 'TC-MON-002',
  title: "Every tenant's alerts reach the tenant, and only its own",
  severity: 'error',
  rationale:
    "Alertmanager's default route swallows what no AlertmanagerConfig takes, so a tenant's alert rules without a delivery fire and reach nobody. A tenant's AlertmanagerConfig is written by its pipeline: only the OnNamespace matcher strategy, which prometheus-operator turns into a namespace=<its namespace> matcher on its route, keeps it from receiving other tenants' alerts, and only in its own namespace does that matcher name the tenant.",
  remediation:
    "Keep kube-prometheus-stack's alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy at { type: OnNamespace } (KubePrometheusStack), and give every tenant stack with a PrometheusRule an AlertmanagerConfig in the tenant's own namespace with no matcher on another namespace (TenantAlertDelivery).",
  check: (ctx) => {
    const out: Violation[] = [];
    for (const stack of ctx.stacks) {
      for (const release of platformReleases(stack).filter((r) => r.chart === 'kube-prometheus-stack')) {
        const strategy = valueAt(release.values, 'alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy.type');
        if (strategy !== ALERTMANAGER_CONFIG_MATCHER_STRATEGY) {
          out.push({
            stack: stack.name,
            address: release.ref.address,
            message: `alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy.type is ${JSON.stringify(strategy)}, not "${ALERTMANAGER_CONFIG_MATCHER_STRATEGY}": a tenant's AlertmanagerConfig would receive every namespace's alerts`,
          });
        }
      }
      const id = tenantIdOfStack(stack.name);
      if (!id) continue;
      const namespace = tenantNamespace(id);
      const configs = manifests(stack, 'AlertmanagerConfig');
      const rules = manifests(stack, 'PrometheusRule');
      if (rules.length && !configs.some((c) => namespaceOf(c) === namespace)) {
        out.push({
          stack: stack.name,
          address: rules[0].address,
          message: `tenant ${id} has alert rules but no AlertmanagerConfig in namespace ${namespace}: its alerts reach nobody`,
        });
      }
      for (const config of configs) {
        const name = String(at(config.manifest, 'metadata.name'));
        const where = namespaceOf(config);
        if (where !== namespace) {
          out.push({
            stack: stack.name,
            address: config.address,
            message: `AlertmanagerConfig ${name} of tenant ${id} is in namespace ${where}, not ${namespace}: it would route another namespace's alerts`,
          });
          continue;
        }
        const foreign = foreignNamespaceMatchers(at(config.manifest as Json, 'spec.route'), namespace);
        if (foreign.length) {
          out.push({
            stack: stack.name,
            address: config.address,
            message: `AlertmanagerConfig ${name} of tenant ${id} matches namespace ${foreign.join(', ')}: it may route only ${namespace}'s alerts`,
          });
        }
      }
    }
    return out;
  },
};

export const alertDeliveryRules: readonly Rule[] = [tenantAlertsDelivered];
