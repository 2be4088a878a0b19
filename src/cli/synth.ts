import * as path from 'path';
import type { Command } from 'commander';
import { addDirOption, projectDir } from './common';
import { info } from './output';

interface SynthCommandOptions {
  dir: string;
  stack?: string[];
  outdir?: string;
  quiet?: boolean;
}

export function register(program: Command): void {
  addDirOption(
    program
      .command('synth')
      .description('synthesize the project into cdktf.out/ (manifest.json, stacks/<name>/cdk.tf.json)')
      .option('-s, --stack <name...>', "synthesize only these stacks, by name or glob such as 'tenant-*' (others keep their output)")
      .option('-o, --outdir <dir>', 'output directory, relative to the working directory (default: <dir>/cdktf.out, or $CDKTF_OUTDIR under cdktf-cli)')
      .option('-q, --quiet', 'print nothing on success'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ tenantctl synth                       # every stack
  $ tenantctl synth --stack tenant-acme   # one tenant's stack
  $ tenantctl synth --stack 'tenant-*'    # every tenant's stack
  $ npx cdktf synth                       # the same, through cdktf-cli (cdktf.json runs tenantctl synth)`,
    )
    .action(async (opts: SynthCommandOptions) => {
      const { loadProject } = await import('../config/project');
      const { synthesize } = await import('../synth/synthesize');
      const { withProjectLock } = await import('../config/files');
      const dir = projectDir(opts);
      // A path flag means the same from wherever it is typed, like --dir (and validate --from);
      // synthesize() alone resolves against the project, which is right for $CDKTF_OUTDIR.
      const outdir = opts.outdir === undefined ? undefined : path.resolve(opts.outdir);
      // Under the project lock like every other writer: a synth that loaded the tenant list just
      // before a concurrent `tenant add` would otherwise drop the new tenant's output as stale,
      // and the two would overwrite each other's manifest.json.
      const result = await withProjectLock(dir, async () => {
        const project = loadProject(dir);
        const { stackNames } = await import('../synth/app');
        const { selectStacks } = await import('../synth/select');
        return synthesize(project, { outdir, stacks: opts.stack && selectStacks(stackNames(project), opts.stack) });
      });
      const threads = result.threads > 1 ? ` (on ${result.threads} threads)` : '';
      info(opts.quiet, `synthesized ${result.written.join(', ') || 'nothing'} into ${result.outdir}${threads}`);
      if (result.removed.length) info(opts.quiet, `removed stale output of ${result.removed.join(', ')}`);
    });
}
