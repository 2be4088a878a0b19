import type { App, TerraformStack } from 'cdktf';
import type { Project } from '../model/project';
import { bootstrapStackName } from '../model/names';
import { accountNames, projectStacks } from '../model/workspaces';

// cdktf is required where an App is made, not at the top: the main thread of a synthesis on
// worker threads only plans and installs, and saves loading it (about 15 MB).
const cdktf = () => require('cdktf') as typeof import('cdktf');
const tuning = () => require('./cdktf-tuning') as typeof import('./cdktf-tuning');

/** Names of the stacks a project synthesizes, in dependency (apply) order. */
export function stackNames(project: Project): string[] {
  return projectStacks(project).map((s) => s.name);
}

export interface BuildAppOptions {
  readonly outdir: string;
  /** Build only these stacks (by name); all when omitted. */
  readonly only?: ReadonlySet<string>;
}

export interface SynthAppOptions extends BuildAppOptions {
  /** Called as each stack's output is written (progress). */
  readonly onStack?: (name: string) => void;
  /**
   * Asked for each stack, in order, just before it would be built: build it only on true. Worker
   * threads share a synthesis out this way, each claiming the next stack nobody has taken yet.
   */
  readonly claim?: (name: string) => boolean;
}

interface StackFactory {
  readonly name: string;
  readonly build: (app: App) => TerraformStack;
}

/**
 * How to build each stack of a project, in the order cdktf synthesizes them (apply order). Stack
 * classes are required lazily so that commands which never synthesize (and `--help`) do not load
 * the provider packages.
 */
function stackFactories(project: Project, only: ReadonlySet<string> | undefined): StackFactory[] {
  const factories: StackFactory[] = [];
  const add = (name: string, build: (app: App) => TerraformStack) => {
    if (!only || only.has(name)) factories.push({ name, build });
  };
  const { platform, tiers, tenants } = project;
  if (platform.terraformCloud) {
    add(
      'workspaces',
      (app) => new (require('../../stacks/workspaces-stack') as typeof import('../../stacks/workspaces-stack')).WorkspacesStack(app, { project }),
    );
    for (const accountName of accountNames(platform)) {
      add(
        bootstrapStackName(accountName),
        (app) =>
          new (require('../../stacks/bootstrap-stack') as typeof import('../../stacks/bootstrap-stack')).BootstrapStack(app, {
            project,
            accountName,
          }),
      );
    }
  }
  add(
    'platform',
    (app) => new (require('../../stacks/platform-stack') as typeof import('../../stacks/platform-stack')).PlatformStack(app, { platform }),
  );
  add(
    'cluster',
    (app) => new (require('../../stacks/cluster-stack') as typeof import('../../stacks/cluster-stack')).ClusterStack(app, { platform, tiers }),
  );
  for (const tenant of tenants.filter((t) => t.status === 'active')) {
    add(
      tenant.names.stack,
      (app) => new (require('../../stacks/tenant-stack') as typeof import('../../stacks/tenant-stack')).TenantStack(app, { platform, tenant }),
    );
  }
  for (const tenant of tenants.filter((t) => t.status === 'removed')) {
    add(
      tenant.names.stack,
      (app) =>
        new (require('../../stacks/removed-tenant-stack') as typeof import('../../stacks/removed-tenant-stack')).RemovedTenantStack(app, {
          platform,
          tenant,
        }),
    );
  }
  return factories;
}

function newApp(outdir: string): App {
  // This module's process.env, explicitly: under jest the tuning is shared by test files that each hold their own copy.
  const { stockRequested, tuneCdktf } = tuning();
  tuneCdktf(stockRequested(process.env));
  // cdktf's validations would run `terraform version` once per Terraform Cloud stack (the cloud
  // block's check of the local binary, which never applies the configuration: the workspace's pinned
  // terraformVersion does) and fail without a terraform binary. tenantctl needs none; the other
  // check, that every stack configures the providers its resources use, is a test
  // (test/synth/cdktf-validations.test.ts), since it depends on tenantctl's code alone.
  return new (cdktf().App)({ outdir, stackTraces: false, skipValidation: true });
}

/** Builds the CDKTF App of a project with every (or every `only`) stack in it, for tests that inspect the tree. */
export function buildApp(project: Project, options: BuildAppOptions): App {
  const app = newApp(options.outdir);
  for (const factory of stackFactories(project, options.only)) factory.build(app);
  return app;
}

/**
 * Synthesizes a project's stacks into `outdir` in cdktf's layout, one stack at a time: each is
 * built, written, and let go (removed from the App, its tokens from cdktf's token map) before the
 * next is built, so memory holds one stack, not all of them, and 2,000 tenants cost what 5 do.
 * That is what App.synth() does per stack (prepare, synthesize, then the manifest), with no stack
 * able to see another, which tenantctl's stacks never do. With cdktf's stock behaviour requested
 * (cdktf-tuning.ts) it is App.synth() itself, over the whole tree.
 */
export function synthesizeApp(project: Project, options: SynthAppOptions): void {
  const { claim = () => true } = options;
  const { releaseTokensSince, stockRequested, tokenMark } = tuning();
  if (stockRequested(process.env)) {
    // One App over every stack: the claims are made up front.
    const claimed = stackFactories(project, options.only).filter(({ name }) => claim(name));
    if (!claimed.length) return;
    const app = buildApp(project, { ...options, only: new Set(claimed.map((f) => f.name)) });
    app.synth();
    for (const { name } of claimed) options.onStack?.(name);
    return;
  }
  const app = newApp(options.outdir);
  const session = { outdir: app.outdir, skipValidation: true, manifest: app.manifest };
  let built = 0;
  for (const { name, build } of stackFactories(project, options.only)) {
    if (!claim(name)) continue;
    built++;
    const mark = tokenMark();
    const stack = build(app);
    stack.prepareStack();
    stack.synthesizer.synthesize(session);
    app.node.tryRemoveChild(stack.node.id);
    releaseTokensSince(mark);
    options.onStack?.(name);
  }
  // A thread that claimed none of a project's stacks leaves no output for it.
  if (built) app.manifest.writeToFile();
}
