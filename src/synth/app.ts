import { App, TerraformStack } from 'cdktf';
import type { Project } from '../config/project';
import { accountNames, projectStacks } from '../config/workspaces';
import { tuneCdktf } from './cdktf-tuning';

/** Names of the stacks a project synthesizes, in dependency (apply) order. */
export function stackNames(project: Project): string[] {
  return projectStacks(project).map((s) => s.name);
}

export interface BuildAppOptions {
  readonly outdir: string;
  /** Build only these stacks (by name); all when omitted. */
  readonly only?: ReadonlySet<string>;
  /** Called as each stack's output is written during `synth()` (progress). */
  readonly onStack?: (name: string) => void;
}

/**
 * Builds the CDKTF App for a project. Stack classes are required lazily so that commands which
 * never synthesize (and `--help`) do not load the provider packages.
 */
export function buildApp(project: Project, options: BuildAppOptions): App {
  // cdktf's validations would run `terraform version` once per Terraform Cloud stack (the cloud
  // block's check of the local binary, which never applies the configuration: the workspace's pinned
  // terraformVersion does) and fail without a terraform binary. tenantctl needs none; the other
  // check, that every stack configures the providers its resources use, is a test
  // (test/synth/cdktf-validations.test.ts), since it depends on tenantctl's code alone.
  tuneCdktf();
  const app = new App({ outdir: options.outdir, stackTraces: false, skipValidation: true });
  const wanted = (name: string) => !options.only || options.only.has(name);
  const { platform, tiers, tenants } = project;
  if (platform.terraformCloud) {
    if (wanted('workspaces')) {
      const { WorkspacesStack } = require('../../stacks/workspaces-stack') as typeof import('../../stacks/workspaces-stack');
      new WorkspacesStack(app, { project });
    }
    const { BootstrapStack } = require('../../stacks/bootstrap-stack') as typeof import('../../stacks/bootstrap-stack');
    for (const accountName of accountNames(platform)) {
      if (wanted(`bootstrap-${accountName}`)) new BootstrapStack(app, { project, accountName });
    }
  }
  if (wanted('platform')) {
    const { PlatformStack } = require('../../stacks/platform-stack') as typeof import('../../stacks/platform-stack');
    new PlatformStack(app, { platform });
  }
  if (wanted('cluster')) {
    const { ClusterStack } = require('../../stacks/cluster-stack') as typeof import('../../stacks/cluster-stack');
    new ClusterStack(app, { platform, tiers });
  }
  const tenantStacks = tenants.filter((t) => wanted(t.names.stack));
  if (tenantStacks.some((t) => t.status === 'active')) {
    const { TenantStack } = require('../../stacks/tenant-stack') as typeof import('../../stacks/tenant-stack');
    for (const tenant of tenantStacks.filter((t) => t.status === 'active')) new TenantStack(app, { platform, tenant });
  }
  if (tenantStacks.some((t) => t.status === 'removed')) {
    const { RemovedTenantStack } = require('../../stacks/removed-tenant-stack') as typeof import('../../stacks/removed-tenant-stack');
    for (const tenant of tenantStacks.filter((t) => t.status === 'removed')) new RemovedTenantStack(app, { platform, tenant });
  }
  if (options.onStack) reportStacks(app, options.onStack);
  return app;
}

/** Wraps each stack's synthesizer (cdktf's public hook, called once per stack by App.synth) to report it. */
function reportStacks(app: App, onStack: (name: string) => void): void {
  for (const stack of app.node.children.filter(TerraformStack.isStack)) {
    const inner = stack.synthesizer;
    stack.synthesizer = {
      synthesize: (session) => {
        inner.synthesize(session);
        onStack(stack.node.id);
      },
    };
  }
}
