import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Command } from 'commander';
import { diffOutputs, outdirOf, previewEdit, synthesizeHere } from '../app/synthesis';
import { TenantctlError, UsageError } from '../model/errors';
import { describeReplacing, REPLACE_PLATFORM_FLAG, replacingChanges } from '../model/platform-changes';
import { platformSchema, resolvePlatform } from '../model/platform-schema';
import { loadTiers, parseWith, PLATFORM_FILE } from '../model/project';
import { applySetting, parseSetting } from '../model/settings';
import { parseJson, withProjectLock, writeTextAtomic } from '../project/files';
import { listTenantIds, loadPlatform, loadProject, loadTenants, platformFile } from '../project/project';
import { addDirOption, projectDir } from './common';
import { info, parseOutputFormat, printJson } from './output';
import { printPreview } from './preview-output';

interface ShowOptions {
  dir: string;
  output?: string;
}

interface SetOptions {
  dir: string;
  replacePlatform?: boolean;
  dryRun?: boolean;
  output?: string;
  synth: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  const platform = program.command('platform').description('show and change the platform settings (platform.json)');
  addDirOption(platform.command('show').description('print the effective platform settings, every default resolved, one dotted path per line'))
    .option('-o, --output <format>', 'human or json', 'human')
    .addHelpText('after', '\nExamples:\n  $ tenantctl platform show\n  $ tenantctl platform show --output json | jq .network')
    .action(async (opts: ShowOptions) => showPlatform(opts));

  addDirOption(
    platform
      .command('set <path> <value> [more...]')
      .description(
        'change platform settings by their dotted paths (as `platform show` prints them), validate them, write platform.json and synthesize',
      )
      .option(
        '--replace-platform',
        'confirm a change that replaces the cluster, VPC or database (account, region, name, environment, network) while tenants exist',
      )
      .option('--dry-run', 'print the resources that would be added, changed or destroyed in each stack, and write nothing')
      .option('-o, --output <format>', 'with --dry-run: human or json', 'human')
      .option('--no-synth', 'write platform.json only')
      .option('-q, --quiet', 'print nothing on success'),
  )
    .addHelpText(
      'after',
      `
Further path value pairs change several settings at once (a region with its availability
zones, say). A value is typed by its setting: a number, true/false, text, or JSON for a list or an object.
An unknown path is refused with the nearest known one. Changes Terraform cannot apply in place
(aws.accountId, aws.region, name, environment, network.vpcCidr, the subnets and availability
zones, terraformCloud.organization) are refused while tenants exist, unless --replace-platform.

Examples:
  $ tenantctl platform set eks.nodeGroups.tenants.maxSize 20 --dry-run
  $ tenantctl platform set eks.adminPrincipalArns '["arn:aws:iam::111122223333:role/ops"]'
  $ tenantctl platform set database.instanceClass db.r6g.xlarge
  $ tenantctl platform set aws.region eu-west-1 network.availabilityZones '["eu-west-1a","eu-west-1b","eu-west-1c"]' --replace-platform`,
    )
    .action(async (settingPath: string, value: string, more: string[], opts: SetOptions) => {
      if (more.length % 2) {
        throw new UsageError(`${more[more.length - 1]} has no value: give settings as path value pairs`);
      }
      const pairs: [string, string][] = [[settingPath, value]];
      for (let i = 0; i < more.length; i += 2) pairs.push([more[i], more[i + 1]]);
      await setPlatform(pairs, opts);
    });
}

/** `a.b.c  value` lines of a configuration; lists of plain values stay on one line as JSON. */
function flatten(value: unknown, prefix: string, out: [string, string][]): [string, string][] {
  const plainList = Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object');
  if (value !== null && typeof value === 'object' && !plainList && Object.keys(value).length) {
    for (const [key, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.push([prefix, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  return out;
}

async function showPlatform(opts: ShowOptions): Promise<void> {
  const format = parseOutputFormat(opts.output);
  const platform = loadPlatform(projectDir(opts));
  if (format === 'json') {
    printJson(platform);
    return;
  }
  const rows = flatten(platform, '', []);
  const width = Math.max(...rows.map(([p]) => p.length));
  process.stdout.write(rows.map(([p, v]) => `${p.padEnd(width)}  ${v}`).join('\n') + '\n');
}

async function setPlatform(pairs: readonly [string, string][], opts: SetOptions): Promise<void> {
  const format = parseOutputFormat(opts.output);
  const dir = projectDir(opts);
  await withProjectLock(dir, async () => {
    const before = loadPlatform(dir);
    const text = fs.readFileSync(platformFile(dir), 'utf8');
    const raw = parseJson(text, PLATFORM_FILE) as Record<string, unknown>;
    const settings = pairs.map(([p, v]) => ({ path: p, ...parseSetting(platformSchema, p, v, `platform set ${p}`) }));
    const described = settings.map((s) => `${s.path} = ${JSON.stringify(s.value)}`).join(', ');
    const next = structuredClone(raw);
    const effective = platformSchema.parse(raw);
    for (const setting of settings) applySetting(next, setting, effective);
    // The same checks as a hand-edited platform.json: the schema, the tier catalog, every tenant.
    const after = resolvePlatform(parseWith(platformSchema, next, `${PLATFORM_FILE} (with ${settings.map((s) => s.path).join(', ')} set)`));
    loadTenants(dir, after, loadTiers(after));
    if (JSON.stringify(after) === JSON.stringify(before)) {
      info(opts.quiet, `nothing changed: platform.json already has ${described}`);
      return;
    }
    const replacing = describeReplacing(replacingChanges(before, after));
    const tenants = listTenantIds(dir).length;
    if (replacing.length && tenants && !opts.replacePlatform) {
      throw new TenantctlError(
        `platform.json was not changed: this cannot be applied in place while ${tenants} tenant(s) exist:\n` +
          replacing.map((r) => `  - ${r}`).join('\n'),
        `Pass ${REPLACE_PLATFORM_FLAG} to accept that, or keep the current value.`,
      );
    }
    if (opts.dryRun) {
      printPreview(previewEdit(dir, { platform: next }).stacks, replacing, format);
      return;
    }
    for (const r of replacing) process.stderr.write(`warning: ${r}\n`);
    writeTextAtomic(platformFile(dir), JSON.stringify(next, null, 2) + '\n');
    info(opts.quiet, `wrote ${PLATFORM_FILE}: ${described}`);
    if (!opts.synth) return;
    try {
      await synthesizeAndReport(dir, opts.quiet);
    } catch (err) {
      // Configuration and output stay consistent: a platform that cannot be built is not written.
      writeTextAtomic(platformFile(dir), text);
      throw err;
    }
  });
}

/** Synthesizes every stack and says which ones changed, compared with the output from before. */
async function synthesizeAndReport(dir: string, quiet: boolean | undefined): Promise<void> {
  const project = loadProject(dir);
  const outdir = outdirOf(dir);
  const previous = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-previous-'));
  try {
    if (fs.existsSync(path.join(outdir, 'stacks'))) fs.cpSync(path.join(outdir, 'stacks'), path.join(previous, 'stacks'), { recursive: true });
    const result = synthesizeHere(project, { outdir });
    const changed = diffOutputs(previous, result.outdir, result.written);
    const names = changed.map((s) => `${s.name} (${s.change})`);
    const shown = names.length > 10 ? [...names.slice(0, 10), `and ${names.length - 10} more`] : names;
    info(
      quiet,
      `synthesized ${result.written.length} stacks into ${result.outdir}: ${changed.length ? `changed ${shown.join(', ')}` : 'no stack changed'}`,
    );
    info(quiet, changed.length ? 'next: review with `npx cdktf diff <stack>` (or a pull request), then apply' : 'next: nothing to apply');
  } finally {
    fs.rmSync(previous, { recursive: true, force: true });
  }
}
