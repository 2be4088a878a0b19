import { z } from 'zod';

/**
 * Rollout waves across tenants (platform.json `waves`): an image change of a catalog service goes
 * to the tenants of the first wave, and to the next wave only when a pull request moves the
 * service's `release.through` on (`tenantctl release promote <service>`); in the cluster, each
 * tenant's Rollout of a later wave first waits for the earlier waves' Applications of that version
 * to be healthy (the wave gate, src/model/canary.ts). A tenant's wave is its tenant file's `wave`,
 * else the wave that lists its tier, else the last wave: so adding a tenant changes no other stack.
 */

/** Wave names are Kubernetes label values and appear in the wave gate's query. */
export const waveName = z
  .string()
  .regex(/^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/, 'must be a lowercase DNS label of at most 32 characters, such as canary');

export const waveSchema = z
  .object({
    name: waveName,
    /** Tiers whose tenants are in this wave unless their tenant file names another. */
    tiers: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type WaveSpec = z.output<typeof waveSchema>;

/** Ordered: the first wave takes a release first. */
export const wavesSchema = z.array(waveSchema).default([]);

/** A release of one service in progress (service-catalog.ts `release`): the new tag, and the last wave that runs it. */
export interface ReleaseSpec {
  readonly tag: string;
  readonly through: string;
}

export interface WaveProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** What makes the waves inconsistent: duplicate names, unknown tiers, a tier in two waves. */
export function waveProblems(waves: readonly WaveSpec[], tiers: readonly string[]): WaveProblem[] {
  const problems: WaveProblem[] = [];
  const seen = new Map<string, string>();
  waves.forEach((w, i) => {
    if (waves.findIndex((o) => o.name === w.name) !== i) problems.push({ path: ['waves', i, 'name'], message: `wave ${w.name} is listed twice` });
    w.tiers.forEach((tier, j) => {
      if (!tiers.includes(tier)) problems.push({ path: ['waves', i, 'tiers', j], message: `unknown tier: use one of ${tiers.join(', ')}` });
      const other = seen.get(tier);
      if (other !== undefined && other !== w.name)
        problems.push({ path: ['waves', i, 'tiers', j], message: `tier ${tier} is already in wave ${other}: a tier belongs to one wave` });
      seen.set(tier, w.name);
    });
  });
  return problems;
}

/** Position of a tenant's wave (0 = the first), from its tenant file's `wave` or its tier; the last wave otherwise. */
export function waveIndex(waves: readonly WaveSpec[], tenant: { readonly tier: string; readonly wave?: string }): number {
  if (waves.length === 0) return 0;
  if (tenant.wave !== undefined) {
    const named = waves.findIndex((w) => w.name === tenant.wave);
    if (named >= 0) return named;
  }
  const byTier = waves.findIndex((w) => w.tiers.includes(tenant.tier));
  return byTier >= 0 ? byTier : waves.length - 1;
}

/** The wave names before a position: the waves a tenant's rollout waits for. */
export function earlierWaves(waves: readonly WaveSpec[], index: number): string[] {
  return waves.slice(0, index).map((w) => w.name);
}

/** The tag a tenant runs of a service without a pin: the release's once its wave has it, else the service's. */
export function releasedTag(service: { readonly tag: string; readonly release?: ReleaseSpec }, waves: readonly WaveSpec[], index: number): string {
  const release = service.release;
  if (!release) return service.tag;
  const through = waves.findIndex((w) => w.name === release.through);
  return index <= through ? release.tag : service.tag;
}

/** The next `through` of a release, or undefined when its last wave has it (then `tag` becomes the release's). */
export function nextWave(waves: readonly WaveSpec[], release: ReleaseSpec): string | undefined {
  const through = waves.findIndex((w) => w.name === release.through);
  return waves[through + 1]?.name;
}

/** A service's `tag` and `release` after one step of its release, and the wave that step reaches. */
export interface ReleaseStep {
  readonly tag: string;
  readonly release?: ReleaseSpec;
  /** The wave whose tenants take the new tag in this step. */
  readonly wave: string;
}

/**
 * Starts a release of a new tag (it reaches the first wave) or moves one on to the next wave; past
 * the last wave, the release's tag becomes the service's and the release ends. Returns a reason
 * string when there is nothing to do.
 */
export function releaseStep(
  service: { readonly name: string; readonly tag: string; readonly release?: ReleaseSpec },
  waves: readonly WaveSpec[],
  newTag?: string,
): ReleaseStep | string {
  if (waves.length === 0) return "platform.json defines no waves: change the service's tag directly, or define waves first";
  const release = service.release;
  if (newTag !== undefined) {
    if (release) return `${service.name} is releasing ${release.tag} (through ${release.through}): promote it to the end before starting another`;
    if (newTag === service.tag) return `${service.name} runs ${newTag} already`;
    return { tag: service.tag, release: { tag: newTag, through: waves[0].name }, wave: waves[0].name };
  }
  if (!release) return `${service.name} has no release in progress: start one with a new tag`;
  const next = nextWave(waves, release);
  if (next === undefined) return `${service.name} ${release.tag} has reached the last wave already`;
  const last = next === waves[waves.length - 1].name;
  return last ? { tag: release.tag, wave: next } : { tag: service.tag, release: { tag: release.tag, through: next }, wave: next };
}
