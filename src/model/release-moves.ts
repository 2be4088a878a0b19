import type { PlatformSpec } from './platform-schema';
import type { TenantSpec } from './project';
import { tenantServices } from './tenant-services';

/** Tenants that take a service's new tag in a change, with their rollout waves: what a pull request rolls out. */
export interface ReleaseMove {
  readonly service: string;
  /** The tag the tenants run after the change. */
  readonly tag: string;
  readonly tenants: readonly { readonly id: string; readonly wave: string | null }[];
}

/** Per service and new tag, the active tenants (at both sides) whose tag of the service differs between two sides. */
export function releaseMoves(
  before: { readonly platform: PlatformSpec; readonly tenants: readonly TenantSpec[] },
  after: { readonly platform: PlatformSpec; readonly tenants: readonly TenantSpec[] },
): ReleaseMove[] {
  const moves = new Map<string, { service: string; tag: string; tenants: { id: string; wave: string | null }[] }>();
  for (const tenant of after.tenants.filter((t) => t.status === 'active')) {
    const old = before.tenants.find((t) => t.id === tenant.id && t.status === 'active');
    if (!old) continue;
    const was = new Map(tenantServices(before.platform, old).map((s) => [s.name, s.image.tag]));
    for (const s of tenantServices(after.platform, tenant)) {
      const previous = was.get(s.name);
      if (previous === undefined || previous === s.image.tag) continue;
      const key = `${s.name} ${s.image.tag}`;
      if (!moves.has(key)) moves.set(key, { service: s.name, tag: s.image.tag, tenants: [] });
      moves.get(key)!.tenants.push({ id: tenant.id, wave: s.wave?.name ?? null });
    }
  }
  return [...moves.values()];
}

/** `task 1.1.0: pilot (wave canary), small (wave early)` */
export function describeMove(move: ReleaseMove): string {
  return `${move.service} ${move.tag}: ${move.tenants.map((t) => (t.wave ? `${t.id} (wave ${t.wave})` : t.id)).join(', ')}`;
}
