import * as fs from 'fs';
import * as path from 'path';
import { TenantctlError } from '../model/errors';
import { tenantIdOfStack } from '../model/names';
import { STATE_DIR, TENANTS_DIR } from '../model/project';
import { listTenantIds } from './project';

/**
 * A tenant's lifecycle is add, (update,) remove, apply, finalize. Its file is what keeps its stack
 * planned: deleted by hand while the stack still holds resources, the stack silently leaves the
 * project and its namespace, roles and nodes are left running unmanaged. These checks catch that
 * before any plan.
 */

/** A tenant whose file is gone although its stack still holds resources; `evidence` says how we know. */
export interface OrphanedTenant {
  readonly id: string;
  readonly evidence: string;
}

export const stateFile = (dir: string, stackName: string) => path.join(dir, STATE_DIR, stackName, 'terraform.tfstate');

/** Resources recorded in a local state file; 0 when it is missing or empty. */
export function stateResourceCount(file: string): number {
  try {
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as { resources?: unknown[] };
    return Array.isArray(state.resources) ? state.resources.length : 0;
  } catch {
    return 0;
  }
}

/** Tenants without a file whose local state (`state/tenant-<id>/terraform.tfstate`) still has resources. */
export function orphansInLocalState(dir: string): OrphanedTenant[] {
  const stateDir = path.join(dir, STATE_DIR);
  if (!fs.existsSync(stateDir)) return [];
  const ids = new Set(listTenantIds(dir));
  return fs
    .readdirSync(stateDir)
    .sort()
    .flatMap((stack) => {
      const id = tenantIdOfStack(stack);
      if (id === undefined || ids.has(id)) return [];
      const count = stateResourceCount(stateFile(dir, stack));
      return count ? [{ id, evidence: `${STATE_DIR}/${stack}/terraform.tfstate holds ${count} resource${count === 1 ? '' : 's'}` }] : [];
    });
}

/** The error for tenants deleted by hand, with the way back; `restoreFrom` is the git ref that still has their files. */
export function orphanedTenantsError(orphans: readonly OrphanedTenant[], restoreFrom?: string): TenantctlError {
  const lines = orphans.map((o) => `  - ${TENANTS_DIR}/${o.id}.json is gone, but tenant ${o.id} was not removed first: ${o.evidence}`);
  const restore = orphans
    .map((o) => (restoreFrom ? `git checkout ${restoreFrom} -- ${TENANTS_DIR}/${o.id}.json` : `restore ${TENANTS_DIR}/${o.id}.json`))
    .join(', ');
  const ids = orphans.map((o) => o.id).join(' ');
  return new TenantctlError(
    `tenant file${orphans.length === 1 ? '' : 's'} deleted while ${orphans.length === 1 ? 'its stack still has' : 'their stacks still have'} resources:\n${lines.join('\n')}\n` +
      'Without its file a tenant stack is no longer planned, and its namespace, IAM roles and nodes would be left running, unmanaged.',
    `Restore the file (${restore}), run \`tenantctl tenant remove ${ids}\` and apply: that destroys the stack's resources. Then \`tenantctl ` +
      `tenant finalize\` deletes the file.`,
  );
}
