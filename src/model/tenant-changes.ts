import type { TenantSpec } from './project';
import { kibibytes, millicores } from './quantities';
import type { TierSpec } from './tiers';

type Quota = TierSpec['quota'];

/** How each quota field compares: CPU in millicores, memory and storage in KiB, counts as they are. */
const QUOTA_MEASURES: { readonly [K in keyof Quota]: (v: Quota[K]) => number } = {
  cpu: millicores,
  cpuLimit: millicores,
  memory: kibibytes,
  memoryLimit: kibibytes,
  pods: Number,
  services: Number,
  persistentVolumeClaims: Number,
  storage: kibibytes,
  secrets: Number,
  configMaps: Number,
};

/**
 * What a change to a tenant destroys or restricts, said before it is written: the dedicated node
 * group going away, a quota lowered, the tenant's data dropped. `before` is absent for a new tenant.
 */
export function tenantChangeWarnings(before: TenantSpec | undefined, after: TenantSpec): string[] {
  const warnings: string[] = [];
  const stack = after.names.stack;
  if (after.status === 'removed') {
    if (after.purgeData && !(before?.status === 'removed' && before.purgeData)) {
      warnings.push(
        `the next apply of ${stack} drops the tenant's database schema, shared-table rows and role: the data cannot be recovered afterwards`,
      );
    }
    return warnings;
  }
  if (!before || before.status === 'removed') return warnings;
  if (before.tierSpec.nodes.isolation === 'dedicated' && after.tierSpec.nodes.isolation !== 'dedicated') {
    warnings.push(`the next apply of ${stack} destroys the tenant's dedicated node group: its pods are rescheduled onto the shared tenants nodes`);
  }
  const lowered = (Object.keys(QUOTA_MEASURES) as (keyof Quota)[]).flatMap((key) => {
    const measure = QUOTA_MEASURES[key] as (v: unknown) => number;
    const [was, now] = [before.tierSpec.quota[key], after.tierSpec.quota[key]];
    return measure(now) < measure(was) ? [`${key} ${was} -> ${now}`] : [];
  });
  if (lowered.length) {
    warnings.push(
      `the quota is lowered (${lowered.join(', ')}): running pods keep running, but Kubernetes admits no new pod or object while the tenant uses more than the new quota`,
    );
  }
  return warnings;
}
