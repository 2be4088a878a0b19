import { assumptionsSchema, type CostConfig } from '../model/cost/config';
import { costDelta, type CostDelta } from '../model/cost/delta';
import { estimate, type CostTenant, type Estimate } from '../model/cost/estimate';
import { dedicatedNodesOf, inventoryOf, type NodeGroupItem, type SynthesizedStack } from '../model/cost/inventory';
import { UsageError } from '../model/errors';
import { platformNames } from '../model/names';
import { parseWith, type Project } from '../model/project';
import { cpuCores, memoryGiB } from '../model/quantities';
import { applySetting, parseSetting } from '../model/settings';
import { withProjectLock } from '../project/files';
import { loadProject } from '../project/project';
import { baseCostSide, platformStackOf } from './synthesis';

export interface CostOptions {
  /** `--set <assumption>=<value>`, over cost.assumptions of platform.json. */
  readonly settings?: readonly string[];
  /** `--price <tier>=<usd>`: the monthly price of each tier, for the margins. */
  readonly tierPrices?: Readonly<Record<string, number>>;
  /** `--base <ref>`: also estimate the project at this git ref, and the change. */
  readonly base?: string;
}

export interface CostResult {
  /** The platform's name prefix (`saas-prod`), for headings. */
  readonly name: string;
  readonly estimate: Estimate;
  readonly delta?: CostDelta;
}

/** The project's active tenants as the estimate weighs them. */
function costTenants(project: Project): CostTenant[] {
  return project.tenants
    .filter((t) => t.status === 'active')
    .map((t) => ({
      id: t.id,
      tier: t.tier,
      stack: t.names.stack,
      cpu: cpuCores(t.tierSpec.quota.cpu),
      memoryGiB: memoryGiB(t.tierSpec.quota.memory),
    }));
}

/** cost.assumptions with the `--set` values over them, validated as platform.json's are. */
export function costConfigWith(cost: CostConfig, settings: readonly string[] = []): CostConfig {
  const assumptions: Record<string, unknown> = { ...cost.assumptions };
  for (const raw of settings) {
    const eq = raw.indexOf('=');
    if (eq < 1)
      throw new UsageError(
        `--set ${JSON.stringify(raw)} is not <assumption>=<value>`,
        `e.g. --set spotDiscount=0.6; the assumptions are ${Object.keys(cost.assumptions).join(', ')}`,
      );
    applySetting(assumptions, parseSetting(assumptionsSchema, raw.slice(0, eq), raw.slice(eq + 1), '--set'));
  }
  return { ...cost, assumptions: parseWith(assumptionsSchema, assumptions, '--set') };
}

/** The estimate of a project whose platform stack is synthesized: its tenants' dedicated nodes come from their tiers. */
export function estimateProject(project: Project, platformStack: SynthesizedStack, options: CostOptions = {}): Estimate {
  const prices = options.tierPrices ?? {};
  const unknown = Object.keys(prices).filter((tier) => !(tier in project.tiers));
  if (unknown.length)
    throw new UsageError(
      `--price ${unknown.join(', ')}: no such tier`,
      `The tiers of this project are ${Object.keys(project.tiers).join(', ')} (the stock catalog and platform.json "tiers").`,
    );
  const platform = inventoryOf([platformStack]);
  const rootVolume = platform.items.find((i): i is NodeGroupItem => i.kind === 'nodes' && i.role !== 'agents')?.rootVolumeGiB ?? 0;
  const active = project.tenants.filter((t) => t.status === 'active');
  const dedicated = dedicatedNodesOf(
    active.map((t) => ({ stack: t.names.stack, nodeGroupName: t.names.nodeGroup, nodes: t.tierSpec.nodes })),
    rootVolume,
  );
  return estimate({
    region: project.platform.aws.region,
    inventory: { items: [...platform.items, ...dedicated], unknownTypes: platform.unknownTypes },
    tenants: costTenants(project),
    tiers: project.tiers,
    cost: costConfigWith(project.platform.cost, options.settings),
    scaleDown: project.platform.eks.nodeGroups.tenants.scaleDown,
    tierPrices: prices,
  });
}

/**
 * `tenantctl cost`: the project's platform stack synthesized (or reused from cdktf.out when up to
 * date) under the project lock, priced; with `base`, the project at that ref too, priced with the
 * same `--set` and `--price`, and the change between them.
 */
export async function projectCost(dir: string, options: CostOptions = {}): Promise<CostResult> {
  return withProjectLock(dir, () => {
    const project = loadProject(dir);
    const head = estimateProject(project, platformStackOf(project), options);
    const name = platformNames(project.platform).prefix;
    if (!options.base) return { name, estimate: head };
    const base = baseCostSide(dir, options.base);
    // Prices for tiers that did not exist at the base are simply not used there.
    const baseOptions = {
      ...options,
      tierPrices: Object.fromEntries(Object.entries(options.tierPrices ?? {}).filter(([t]) => base.project && t in base.project.tiers)),
    };
    const baseEstimate = base.project && base.platform ? estimateProject(base.project, base.platform, baseOptions) : null;
    const delta = costDelta(
      { estimate: baseEstimate, tenants: base.project ? costTenants(base.project) : [] },
      { estimate: head, tenants: costTenants(project) },
      { base: options.base, baseCommit: base.baseCommit },
    );
    return { name, estimate: head, delta };
  });
}
