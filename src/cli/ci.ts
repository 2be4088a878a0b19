import * as path from 'path';
import type { Command } from 'commander';
import { projectWarnings, writeGithubWorkflow } from '../ci/github';
import { UsageError } from '../model/errors';
import { addDirOption, projectDir } from './common';
import { info } from './output';

interface CiInitOptions {
  dir: string;
  branch: string;
  nodeVersion: string;
  maxParallel: string;
  force: boolean;
  quiet?: boolean;
}

const PROVIDERS = ['github'];

export function register(program: Command): void {
  const ci = program.command('ci').description('continuous integration: Terraform Cloud plans on pull requests, applies on merge');
  addDirOption(
    ci
      .command('init')
      .description(
        'write the CI workflow (and the reusable workflow of its apply jobs): plans of the changed stacks on pull requests, applies in ' +
          'dependency order on merge',
      )
      .argument('<provider>', `CI system: ${PROVIDERS.join(', ')}`)
      .option('--branch <name>', 'main branch: pull requests to it are planned, pushes to it applied', 'main')
      .option('--node-version <version>', 'Node.js version of the jobs', '20')
      .option('--max-parallel <n>', 'Terraform Cloud runs at a time in the plan, bootstrap and tenant jobs', '4')
      .option('--force', 'replace existing workflow files', false)
      .option('-q, --quiet', 'print nothing on success'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ tenantctl ci init github                      # .github/workflows/tenantctl.yml and tenantctl-apply.yml at the git repository root
  $ tenantctl ci init github --dir infra/platform # a project in a subdirectory of the repository
  $ tenantctl ci init github --branch trunk --force

Writes two files: tenantctl.yml, the workflow, and tenantctl-apply.yml, the reusable workflow its
apply jobs call. Refuses without --force if either exists (then nothing is written); --force
replaces both. Needs "terraformCloud" in platform.json. The workflow reads the Terraform Cloud
token from the repository secret TF_API_TOKEN; no token is written to any file. See README
"Connecting Terraform Cloud".`,
    )
    .action(async (provider: string, opts: CiInitOptions) => {
      if (!PROVIDERS.includes(provider)) {
        throw new UsageError(`unknown CI provider ${JSON.stringify(provider)}: use one of ${PROVIDERS.join(', ')}`);
      }
      if (!/^\d+$/.test(opts.maxParallel)) throw new UsageError(`--max-parallel ${JSON.stringify(opts.maxParallel)} is not a whole number`);
      const dir = projectDir(opts);
      const result = writeGithubWorkflow({
        dir,
        branch: opts.branch,
        nodeVersion: opts.nodeVersion,
        maxParallel: Number(opts.maxParallel),
        force: opts.force,
      });

      if (!result.inGitRepo) {
        process.stderr.write(
          `note: ${dir} is not in a git repository: the workflows were written into the project directory, and GitHub reads them only from ` +
            `the repository root\n`,
        );
      }
      for (const warning of projectWarnings(dir)) process.stderr.write(`note: ${warning}\n`);
      const shown = result.files.map((file) => {
        const relative = path.relative(process.cwd(), file);
        return relative && !relative.startsWith('..') ? relative : file;
      });
      const { branch, project_dir: projectPath, tfc_organization: organization } = result.values;
      info(
        opts.quiet,
        `${result.replaced ? 'replaced' : 'wrote'} ${shown.join(' and ')} (project ${projectPath}, Terraform Cloud organization ${organization})`,
      );
      info(opts.quiet, `  pull requests to ${branch}: validate, speculative plan of each changed stack, one comment with the plans`);
      info(
        opts.quiet,
        `  pushes to ${branch}: apply the changed stacks: workspaces, account bootstraps, platform, cluster, tenants (each group through ` +
          `${path.basename(result.files[0])})`,
      );
      info(
        opts.quiet,
        'next: add the repository secret TF_API_TOKEN (a Terraform Cloud team token), then commit both workflow files; see README ' +
          '"Connecting Terraform Cloud"',
      );
    });
}
