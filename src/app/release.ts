import * as fs from 'fs';
import { TenantctlError } from '../model/errors';
import { platformSchema, resolvePlatform } from '../model/platform-schema';
import { loadTiers, parseWith, PLATFORM_FILE } from '../model/project';
import { releaseMoves } from '../model/release-moves';
import { releaseStep } from '../model/release-waves';
import { tenantStackName } from '../model/names';
import { parseJson, withProjectLock, writeTextAtomic } from '../project/files';
import { loadProject, loadTenants, platformFile } from '../project/project';
import type { Reporter } from './reporter';
import { synthesizeProject, synthSummary } from './synthesis';

/** What one step of a release changes: the tenants that take the new tag, all of one wave. */
export interface ReleaseChange {
  readonly service: string;
  readonly tag: string;
  readonly wave: string;
  /** Ids of the tenants whose stack changes: their Applications move to `tag`. */
  readonly tenants: readonly string[];
  /** True when this step reached the last wave and the release became the service's tag. */
  readonly finished: boolean;
}

/**
 * `release start <service> <tag>` (newTag given) or `release promote <service>`: moves the
 * service's release one wave on in platform.json and synthesizes the stacks of the tenants it
 * reaches, which are the only stacks that change: a pull request of one step names one wave. In
 * the cluster, each of those tenants' canaries first waits for the earlier waves' Applications of
 * the tag to be healthy (its wave gate), so promoting too early aborts rather than spreads.
 */
export async function stepRelease(
  dir: string,
  service: string,
  newTag: string | undefined,
  opts: { readonly synth: boolean },
  report: Reporter,
): Promise<ReleaseChange> {
  return withProjectLock(dir, async () => {
    const text = fs.readFileSync(platformFile(dir), 'utf8');
    const raw = parseJson(text, PLATFORM_FILE) as { services?: Record<string, unknown>[] };
    const before = resolvePlatform(parseWith(platformSchema, raw, PLATFORM_FILE));
    const index = before.services.findIndex((s) => s.name === service);
    if (index < 0)
      throw new TenantctlError(`${service} is not a catalog service`, `Use one of ${before.services.map((s) => s.name).join(', ') || '(none)'}.`);
    const step = releaseStep(before.services[index], before.waves, newTag);
    if (typeof step === 'string') throw new TenantctlError(`${PLATFORM_FILE} was not changed: ${step}`);
    const entry = raw.services![index];
    entry.tag = step.tag;
    if (step.release) entry.release = step.release;
    else delete entry.release;
    const after = resolvePlatform(parseWith(platformSchema, raw, `${PLATFORM_FILE} (with the release of ${service} moved on)`));
    const tenants = loadTenants(dir, after, loadTiers(after));
    const change: ReleaseChange = {
      service,
      tag: step.release?.tag ?? step.tag,
      wave: step.wave,
      // Pinned tenants never move.
      tenants: releaseMoves({ platform: before, tenants }, { platform: after, tenants })
        .filter((m) => m.service === service)
        .flatMap((m) => m.tenants.map((t) => t.id)),
      finished: step.release === undefined,
    };
    writeTextAtomic(platformFile(dir), JSON.stringify(raw, null, 2) + '\n');
    report.info(
      `wrote ${PLATFORM_FILE}: ${service} ${change.tag} reaches wave ${change.wave}${change.finished ? ' (the last: the release is done)' : ''}`,
    );
    if (!opts.synth || change.tenants.length === 0) return change;
    try {
      const started = Date.now();
      const result = await synthesizeProject(loadProject(dir), { stacks: change.tenants.map(tenantStackName) }, report.progress());
      report.info(synthSummary(result, (Date.now() - started) / 1000));
    } catch (err) {
      // Configuration and output stay consistent: a release whose stacks cannot be built is not written.
      writeTextAtomic(platformFile(dir), text);
      throw err;
    }
    return change;
  });
}
