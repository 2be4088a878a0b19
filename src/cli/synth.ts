import * as path from 'path';
import type { Command } from 'commander';
import { stackNames, synthesizeProject, synthSummary } from '../app/synthesis';
import { withProjectLock } from '../project/files';
import { loadProject } from '../project/project';
import { selectStacks } from '../synth/select';
import { addDirOption, projectDir } from './common';
import { info, parseOutputFormat, printJson } from './output';
import { createProgress } from './progress';

interface SynthCommandOptions {
  dir: string;
  stack?: string[];
  outdir?: string;
  quiet?: boolean;
  verbose?: boolean;
  output?: string;
}

export function register(program: Command): void {
  addDirOption(
    program
      .command('synth')
      .description('synthesize the project into cdktf.out/ (manifest.json, stacks/<name>/cdk.tf.json)')
      .option('-s, --stack <name...>', "synthesize only these stacks, by name or glob such as 'tenant-*' (others keep their output)")
      .option(
        '-o, --outdir <dir>',
        'output directory, relative to the working directory (default: <dir>/cdktf.out, or $CDKTF_OUTDIR under cdktf-cli)',
      )
      .option('-q, --quiet', 'print nothing on success')
      .option('-v, --verbose', 'name every stack written (by default more than a few are counted)')
      .option('--output <format>', 'human or json (every stack written, removed, the output directory and the time taken)', 'human'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ tenantctl synth                       # every stack
  $ tenantctl synth --stack tenant-acme   # one tenant's stack
  $ tenantctl synth --stack 'tenant-*'    # every tenant's stack
  $ npx cdktf synth                       # the same, through cdktf-cli (cdktf.json runs tenantctl synth)

On a terminal, a synth that takes more than a second shows its progress on stderr.`,
    )
    .action(async (opts: SynthCommandOptions) => {
      const format = parseOutputFormat(opts.output);
      const dir = projectDir(opts);
      // A path flag means the same from wherever it is typed, like --dir (and validate --from);
      // synthesize() alone resolves against the project, which is right for $CDKTF_OUTDIR.
      const outdir = opts.outdir === undefined ? undefined : path.resolve(opts.outdir);
      const progress = createProgress();
      // Under the project lock like every other writer: a synth that loaded the tenant list just
      // before a concurrent `tenant add` would otherwise drop the new tenant's output as stale,
      // and the two would overwrite each other's manifest.json.
      const result = await withProjectLock(dir, () => {
        const project = loadProject(dir);
        return synthesizeProject(project, { outdir, stacks: opts.stack && selectStacks(stackNames(project), opts.stack) }, progress);
      });
      const seconds = progress.elapsedSeconds();
      if (format === 'json') {
        printJson({
          outdir: result.outdir,
          written: result.written,
          removed: result.removed,
          threads: result.threads,
          seconds: Number(seconds.toFixed(1)),
        });
        return;
      }
      info(opts.quiet, synthSummary(result, seconds, opts.verbose));
      if (result.removed.length) info(opts.quiet, `removed stale output of ${result.removed.join(', ')}`);
    });
}
