import type { Command } from 'commander';
import { changedJson, changedStacks } from '../app/synthesis';
import { describeMove } from '../model/release-moves';
import { cancellable, interruptSignal } from '../runtime/interrupt';
import { addDirOption, projectDir } from './common';
import { parseOutputFormat, printJson } from './output';
import { createProgress } from './progress';

interface ChangedCommandOptions {
  dir: string;
  base: string;
  output?: string;
}

export function register(program: Command): void {
  addDirOption(
    program
      .command('changed')
      .description('list the stacks whose synthesized configuration differs from a git ref (the workspaces a pull request must plan)')
      .requiredOption('-b, --base <ref>', 'git ref to compare with (branch, tag or commit), e.g. origin/main')
      .option('-o, --output <format>', 'human or json', 'human'),
  )
    .addHelpText(
      'after',
      `
Both the base and the project as it is now are synthesized with this tenantctl and compared
stack by stack (cdk.tf.json and assets). Each changed stack is printed as "<stack>  <change>"
(added, modified or removed) in apply order: workspaces, bootstrap-*, platform, tenants.
When package-lock.json pins another tenantctl at the base, every stack is listed as modified.

Examples:
  $ tenantctl changed --base origin/main
  $ tenantctl changed --base origin/main --output json | jq -c .names     # a CI matrix
  $ tenantctl changed --base HEAD~1 --dir infra/platform

A tenant file deleted by hand while the tenant is active at the base (or while its local state
still holds resources) is an error: restore it, \`tenantctl tenant remove\` it and apply first.
On a terminal, a comparison that takes more than a second shows its progress on stderr.

Exit codes: 0 whether or not stacks changed, 1 bad ref, configuration or a deleted tenant file, 2 usage error.`,
    )
    .action(async (opts: ChangedCommandOptions) => {
      const format = parseOutputFormat(opts.output);
      const progress = createProgress();
      // Cancellable: an interrupt unwinds it, so its temporary directories are removed.
      const result = await cancellable(() =>
        changedStacks(projectDir(opts), opts.base, {
          run: { signal: interruptSignal, onProgress: (done, total) => progress.update('comparing', done, total) },
        }),
      ).finally(() => progress.end());
      if (format === 'json') {
        printJson(changedJson(result));
        return;
      }
      if (result.toolChange) {
        const v = (s: typeof result.toolChange.base) => s?.version ?? 'none';
        process.stderr.write(
          `note: package-lock.json pins tenantctl ${v(result.toolChange.base)} at ${opts.base} and ${v(result.toolChange.head)} now: every ` +
            `stack is listed as modified\n`,
        );
      }
      if (!result.stacks.length) {
        // On stderr, so that stdout is exactly the list of stacks (empty) for scripts.
        process.stderr.write(`no stack changed since ${opts.base}\n`);
        return;
      }
      const width = Math.max(...result.stacks.map((s) => s.name.length));
      process.stdout.write(result.stacks.map((s) => `${s.name.padEnd(width)}  ${s.change}`).join('\n') + '\n');
      // On stderr, so that stdout stays the list of stacks: which tenants take which new version.
      for (const move of result.releases) process.stderr.write(`release: ${describeMove(move)}\n`);
    });
}
