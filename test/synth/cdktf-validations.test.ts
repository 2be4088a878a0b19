import { TerraformStack } from 'cdktf';
import { ValidateProviderPresence } from 'cdktf/lib/validations/validate-provider-presence';
import type { Project } from '../../src/model/project';
import { resolveTenant } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { buildApp } from '../../src/synth/app';
import { tfcProject } from '../policy/tfc-project';
import { platformSpec, tempDir } from '../util';

/**
 * buildApp skips cdktf's synth-time validations (their terraform version checks spawn `terraform
 * version` per stack). The one that checks the configuration itself, that every stack declares
 * the providers its resources and data sources use, runs here over every kind of stack instead.
 */
const TENANTS = [
  { id: 'acme', tier: 'enterprise' },
  { id: 'globex', tier: 'standard', serviceAccount: 'payments' },
  { id: 'initech', tier: 'starter' },
  { id: 'hooli', tier: 'starter', status: 'removed', purgeData: true },
  { id: 'umbrella', tier: 'standard', serviceAccount: 'payments', status: 'removed' },
] as const;

function localProject(): Project {
  const platform = platformSpec({ domain: 'saas.example.com' });
  const tiers = resolveTiers();
  const tenants = TENANTS.filter((t) => !('serviceAccount' in t)).map((t) =>
    resolveTenant(tenantSchema.parse({ version: 1, ...t }), platform, tiers, `${t.id}.json`),
  );
  return { dir: '/nonexistent', platform, tiers, tenants };
}

describe.each([
  ['Terraform Cloud with a service account', tfcProject(TENANTS)],
  ['local state with a domain', localProject()],
])('GIVEN a project (%s) with active and removed tenants of every tier', (_, project) => {
  const app = buildApp(project, { outdir: tempDir() });
  const stacks = app.node.children.filter(TerraformStack.isStack);

  test('THEN it builds every kind of stack', () => {
    const kinds = new Set(stacks.map((s) => s.node.id.replace(/-.*$/, '')));
    expect([...kinds].sort()).toEqual(
      project.platform.terraformCloud ? ['bootstrap', 'cluster', 'platform', 'tenant', 'workspaces'] : ['cluster', 'platform', 'tenant'],
    );
  });

  test.each(stacks.map((s) => [s.node.id, s]))('THEN stack %s configures every provider it uses', (_name, stack) => {
    expect(new ValidateProviderPresence(stack).validate()).toEqual([]);
  });
});
