import * as fs from 'fs';
import * as path from 'path';
import { TenantctlError } from '../model/errors';
import type { Suppression } from '../model/platform-schema';
import { listTenantIds, loadPlatform, loadProject, tenantFile } from '../project/project';
import { loadTiers, PLATFORM_FILE, TENANTS_DIR, type Project } from '../model/project';
import { allRules } from './rules';
import type { ConfigSnapshot, Finding, Rule, RuleContext, RuleInfo, StackDocument, ValidationReport } from './types';

/** The engine's own check: suppressions are reviewed like code, so a stale one is reported. */
export const UNUSED_SUPPRESSION: RuleInfo = {
  id: 'TC-SUP-001',
  title: 'Every suppression matches a finding',
  severity: 'warning',
  rationale:
    'A suppression that matches nothing is stale (the finding was fixed, or the address changed): it would silently accept the next finding ' +
    'of that rule on that resource.',
  remediation: 'Remove the suppression from platform.json, or correct its rule, resource or stack.',
};

/**
 * Reads a synthesized `cdktf.out` directory: the stacks `manifest.json` lists, else every
 * `stacks/<name>/cdk.tf.json`. `displayDir` is how the directory is named in findings (SARIF
 * artifact locations), e.g. `cdktf.out` when the synth went to a temporary directory.
 */
export function loadStacks(outdir: string, displayDir: string = outdir): StackDocument[] {
  if (!fs.existsSync(outdir)) {
    throw new TenantctlError(`${outdir} does not exist`, 'Run `tenantctl synth` first, or leave out --from to synthesize now.');
  }
  const manifestFile = path.join(outdir, 'manifest.json');
  let entries: [string, string][];
  if (fs.existsSync(manifestFile)) {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
    entries = Object.entries(manifest.stacks ?? {}).map(([name, s]) => [name, s.synthesizedStackPath ?? `stacks/${name}/cdk.tf.json`]);
  } else {
    const stacksDir = path.join(outdir, 'stacks');
    entries = fs.existsSync(stacksDir)
      ? fs
          .readdirSync(stacksDir)
          .filter((n) => fs.existsSync(path.join(stacksDir, n, 'cdk.tf.json')))
          .sort()
          .map((n) => [n, `stacks/${n}/cdk.tf.json`])
      : [];
  }
  if (!entries.length)
    throw new TenantctlError(
      `${outdir} holds no synthesized stacks`,
      'Point --from at a cdktf.out directory (it has manifest.json and stacks/<name>/cdk.tf.json).',
    );
  return entries.map(([name, rel]) => {
    const file = path.join(outdir, rel);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new TenantctlError(`stack ${name}: ${file} is missing`, 'Synthesize again: the output directory is incomplete.');
    }
    try {
      return { name, json: JSON.parse(text), text, file: path.posix.join(displayDir.split(path.sep).join('/'), rel) };
    } catch (err) {
      throw new TenantctlError(`stack ${name}: ${file} is not valid JSON: ${(err as Error).message}`);
    }
  });
}

/** The configuration a loaded project holds, for config-level rules and suppressions. */
export function configOf(project: Project): ConfigSnapshot {
  return {
    tiers: Object.keys(project.tiers),
    tenants: project.tenants.map((t) => ({ id: t.id, tier: t.tier, file: `${TENANTS_DIR}/${t.id}.json` })),
    suppressions: project.platform.suppressions,
  };
}

/**
 * Reads a project's configuration for validating an existing synth: platform.json must be valid
 * (suppressions without a reason are rejected there), tenant files are read leniently so that
 * an unknown tier becomes a finding. `project` is set when the whole project loads; `problem`
 * says why it did not.
 */
export function readConfig(dir: string): { config: ConfigSnapshot; project?: Project; problem?: string } {
  const platform = loadPlatform(dir);
  const tiers = Object.keys(loadTiers(platform));
  const tenants = listTenantIds(dir).flatMap((id) => {
    try {
      const raw = JSON.parse(fs.readFileSync(tenantFile(dir, id), 'utf8')) as { id?: unknown; tier?: unknown; status?: unknown };
      return raw.status === 'removed'
        ? []
        : [{ id: typeof raw.id === 'string' ? raw.id : id, tier: String(raw.tier), file: `${TENANTS_DIR}/${id}.json` }];
    } catch {
      return [];
    }
  });
  const config = { tiers, tenants, suppressions: platform.suppressions };
  try {
    return { config, project: loadProject(dir) };
  } catch (err) {
    if (err instanceof TenantctlError) return { config, problem: err.message };
    throw err;
  }
}

/** Runs the rules; findings come out in stack order, then rule order. */
export function runRules(ctx: RuleContext, rules: readonly Rule[] = allRules): Finding[] {
  const findings = rules.flatMap((rule) =>
    rule.check(ctx).map((v): Finding => ({
      ruleId: rule.id,
      title: rule.title,
      severity: v.severity ?? rule.severity,
      stack: v.stack,
      address: v.address,
      message: v.message,
      remediation: rule.remediation,
      file: v.file ?? ctx.stacks.find((s) => s.name === v.stack)?.file,
    })),
  );
  const order = (f: Finding) => {
    const i = ctx.stacks.findIndex((s) => s.name === f.stack);
    return i < 0 ? ctx.stacks.length : i;
  };
  // Array.prototype.sort is stable: rule order is kept within a stack.
  return findings.sort((a, b) => order(a) - order(b));
}

/** `*` matches any run of characters (dots and slashes included); everything else is literal. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

function matches(s: Suppression, f: Finding): boolean {
  if (s.rule !== f.ruleId) return false;
  if (s.stack !== undefined && !(f.stack !== undefined && globMatch(s.stack, f.stack))) return false;
  return globMatch(s.resource, f.address) || (f.stack !== undefined && globMatch(s.resource, f.stack));
}

/**
 * Marks the findings a suppression accepts (they stay in the report, with the reason) and adds
 * a TC-SUP-001 warning for every suppression that matched nothing.
 */
export function applySuppressions(findings: readonly Finding[], suppressions: readonly Suppression[]): Finding[] {
  const used = new Set<number>();
  const marked = findings.map((f) => {
    const i = suppressions.findIndex((s) => matches(s, f));
    if (i < 0) return f;
    used.add(i);
    return { ...f, suppressed: { reason: suppressions[i].reason } };
  });
  const stale = suppressions.flatMap((s, i): Finding[] =>
    used.has(i)
      ? []
      : [
          {
            ruleId: UNUSED_SUPPRESSION.id,
            title: UNUSED_SUPPRESSION.title,
            severity: UNUSED_SUPPRESSION.severity,
            address: `suppressions[${i}]`,
            file: PLATFORM_FILE,
            message: `suppression of ${s.rule} for ${s.resource}${s.stack ? ` in stack ${s.stack}` : ''} matches no finding`,
            remediation: UNUSED_SUPPRESSION.remediation,
          },
        ],
  );
  return [...marked, ...stale];
}

/** Runs every rule over the stacks, applies the configuration's suppressions and sums up. */
export function validate(ctx: RuleContext, rules: readonly Rule[] = allRules): ValidationReport {
  const findings = applySuppressions(runRules(ctx, rules), ctx.config?.suppressions ?? []);
  const active = findings.filter((f) => !f.suppressed);
  const errors = active.filter((f) => f.severity === 'error').length;
  return {
    stacks: ctx.stacks.map((s) => s.name),
    rules: [...rules.map(({ id, title, severity, rationale, remediation }) => ({ id, title, severity, rationale, remediation })), UNUSED_SUPPRESSION],
    findings,
    summary: { errors, warnings: active.length - errors, suppressed: findings.length - active.length },
    ok: errors === 0,
  };
}
