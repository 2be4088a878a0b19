import type { Command } from 'commander';
import { addDirOption, projectDir } from './common';
import { parseOutputFormat } from './output';

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
      .option('--from <dir>', 'read an existing synth (a cdktf.out directory) instead of synthesizing')
      .option('-o, --output <format>', `output format: ${FORMATS.join(', ')}`, 'human'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ tenantctl validate                               # synthesize in a temporary directory, then check
  $ tenantctl validate --from cdktf.out              # check what \`tenantctl synth\` wrote
  $ tenantctl validate --output sarif > tenantctl.sarif   # for a code-scanning upload

Findings are accepted in platform.json "suppressions" (rule, resource, optional stack, reason);
they are still reported. Exit codes: 0 no unsuppressed error, 1 errors found (or bad input), 2 usage error.`,
    )
    .action(async (opts: ValidateCommandOptions) => {
      const format = parseOutputFormat(opts.output, FORMATS);
      const fs = await import('fs');
      const os = await import('os');
      const path = await import('path');
      const { configOf, loadStacks, readConfig, validate } = await import('../policy/engine');
      const { formatHuman, formatJson, formatSarif } = await import('../policy/format');
      const dir = projectDir(opts);

      let context;
      let tmp: string | undefined;
      try {
        if (opts.from) {
          const from = path.resolve(opts.from);
          const relative = path.relative(dir, from);
          const display = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : from;
          const stacks = loadStacks(from, display);
          const { PLATFORM_FILE } = await import('../config/project');
          if (fs.existsSync(path.join(dir, PLATFORM_FILE))) {
            const { config, project, problem } = readConfig(dir);
            if (problem) process.stderr.write(`note: the project does not load, so only its raw tenant files are checked:\n${problem}\n`);
            context = { stacks, project, config };
          } else {
            context = { stacks };
          }
        } else {
          const { loadProject } = await import('../config/project');
          const { synthesize } = await import('../synth/synthesize');
          const project = loadProject(dir);
          tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-validate-'));
          synthesize(project, { outdir: tmp });
          context = { stacks: loadStacks(tmp, 'cdktf.out'), project, config: configOf(project) };
        }
      } finally {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
      }

      const report = validate(context);
      const version = (require(path.join((await import('../paths')).packageRoot(), 'package.json')) as { version: string }).version;
      const text = format === 'json' ? formatJson(report) : format === 'sarif' ? formatSarif(report, context.stacks, version) : formatHuman(report);
      process.stdout.write(text);
      if (!report.ok) process.exitCode = 1;
    });
}
