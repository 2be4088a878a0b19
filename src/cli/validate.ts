import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { configOf, loadStacks, readConfig, startValidationWarmup, synthesizeProject, validateStacks } from '../app/synthesis';
import { PLATFORM_FILE } from '../model/project';
import { packageRoot } from '../paths';
import { formatHuman, formatJson, formatSarif } from '../policy/format';
import { checkSynthMatches } from '../policy/synth-match';
import { withProjectLock } from '../project/files';
import { orphanedTenantsError, orphansInLocalState } from '../project/lifecycle';
import { loadProject } from '../project/project';
import { addDirOption, projectDir } from './common';
import { parseOutputFormat } from './output';
import { createProgress } from './progress';

interface ValidateCommandOptions {
  dir: string;
  from?: string;
  output?: string;
}

const FORMATS = ['human', 'json', 'sarif'];

export function register(program: Command): void {
  addDirOption(
    program
      .command('validate')
      .description('check tenant isolation and platform security rules over the synthesized Terraform JSON')
      .option('--from <dir>', "read an existing synth (a cdktf.out directory) instead of synthesizing; it must be this project's")
      .option('-o, --output <format>', `output format: ${FORMATS.join(', ')}`, 'human'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ tenantctl validate                               # synthesize into cdktf.out (stacks not up to date), then check
  $ tenantctl validate --from cdktf.out              # check what \`tenantctl synth\` wrote, as it is
  $ tenantctl validate --output sarif > tenantctl.sarif   # for a code-scanning upload

Findings are accepted in platform.json "suppressions" (rule, resource, optional stack, reason);
they are still reported. --from refuses output that is not this project's synth (stacks missing or
extra, another platform's names, a partial synth). A tenant file deleted by hand while its local state
holds resources is an error. Exit codes: 0 no unsuppressed error, 1 errors found (or bad input), 2 usage error.`,
    )
    .action(async (opts: ValidateCommandOptions) => {
      const format = parseOutputFormat(opts.output, FORMATS);
      const dir = projectDir(opts);
      const progress = createProgress();

      // A tenant file deleted by hand is reported before anything else: nothing would plan its stack.
      if (fs.existsSync(path.join(dir, PLATFORM_FILE))) {
        const orphans = orphansInLocalState(dir);
        if (orphans.length) throw orphanedTenantsError(orphans);
      }

      let context;
      if (opts.from) {
        const from = path.resolve(opts.from);
        const relative = path.relative(dir, from);
        const display = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : from;
        const stacks = loadStacks(from, display);
        if (fs.existsSync(path.join(dir, PLATFORM_FILE))) {
          const { config, project, problem } = readConfig(dir);
          if (problem) process.stderr.write(`note: the project does not load, so only its raw tenant files are checked:\n${problem}\n`);
          if (project) checkSynthMatches(project, display, stacks);
          context = { stacks, project, config };
        } else {
          context = { stacks };
        }
      } else {
        // Synthesized into cdktf.out as \`tenantctl synth\` does, so that every finding names a file
        // (and line) the user has, and a later \`validate --from cdktf.out\` or plan reads the same;
        // stacks whose output there is up to date (same inputs, same tenantctl) are not synthesized again.
        context = await withProjectLock(dir, async () => {
          const project = loadProject(dir);
          // The rules warm up on the first stacks written while the rest are built.
          const warmup = startValidationWarmup(project);
          const { outdir } = await synthesizeProject(project, { reuse: true }, progress, 'synthesizing', warmup.onStack).finally(warmup.stop);
          const relative = path.relative(dir, outdir);
          return {
            stacks: loadStacks(outdir, relative.startsWith('..') || path.isAbsolute(relative) ? outdir : relative),
            project,
            config: configOf(project),
          };
        });
      }
      const report = validateStacks(context);
      const version = (require(path.join(packageRoot(), 'package.json')) as { version: string }).version;
      const text = format === 'json' ? formatJson(report) : format === 'sarif' ? formatSarif(report, context.stacks, version) : formatHuman(report);
      process.stdout.write(text);
      if (!report.ok) process.exitCode = 1;
    });
}
