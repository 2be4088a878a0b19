import type { Command } from 'commander';
import { stepRelease, type ReleaseChange } from '../app/release';
import { addDirOption, projectDir } from './common';
import { info, parseOutputFormat, printJson, reporter } from './output';

interface ReleaseFlags {
  dir: string;
  synth: boolean;
  quiet?: boolean;
  output?: string;
}

const addFlags = (cmd: Command) =>
  addDirOption(cmd)
    .option('--no-synth', 'write platform.json only')
    .option('-o, --output <format>', 'human or json (the tenants this step moves)', 'human')
    .option('-q, --quiet', 'print nothing on success');

export function register(program: Command): void {
  const release = program
    .command('release')
    .description("move a catalog service's new image tag through the rollout waves (platform.json waves), one wave per pull request");
  addFlags(release.command('start <service> <tag>').description('start a release of a new tag: the tenants of the first wave take it')).action(
    async (service: string, tag: string, opts: ReleaseFlags) => run(service, tag, opts),
  );
  addFlags(
    release
      .command('promote <service>')
      .description('move the release on to the next wave; past the last wave the tag becomes the service tag every tenant runs'),
  )
    .addHelpText(
      'after',
      `
Only the stacks of the tenants that take the tag change, so the pull request names the wave. In
the cluster each of their canaries first waits for the earlier waves' Applications of the tag to be
Synced and Healthy (the wave gate): promoted too early, a canary aborts and the tenant stays on its
version.

Examples:
  $ tenantctl release start task 1.4.0
  $ tenantctl release promote task`,
    )
    .action(async (service: string, opts: ReleaseFlags) => run(service, undefined, opts));
}

async function run(service: string, tag: string | undefined, opts: ReleaseFlags): Promise<void> {
  const format = parseOutputFormat(opts.output);
  const change = await stepRelease(projectDir(opts), service, tag, opts, reporter(opts.quiet || format === 'json'));
  if (format === 'json') printJson(change);
  else info(opts.quiet, describe(change));
}

function describe(change: ReleaseChange): string {
  const who = change.tenants.length ? `tenants ${change.tenants.join(', ')}` : 'no tenant (the wave is empty or pinned)';
  return `wave ${change.wave} takes ${change.service} ${change.tag}: ${who}`;
}
