#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import * as path from 'path';
import * as changed from '../src/cli/changed';
import * as ci from '../src/cli/ci';
import * as cost from '../src/cli/cost';
import * as init from '../src/cli/init';
import * as platform from '../src/cli/platform';
import * as synth from '../src/cli/synth';
import * as release from '../src/cli/release';
import * as tenant from '../src/cli/tenant';
import * as validate from '../src/cli/validate';
import { TenantctlError } from '../src/model/errors';
import { packageRoot } from '../src/paths';
import { installInterruptHandlers } from '../src/runtime/interrupt';

// Wiring only: each command lives in src/cli/<command>.ts. cdktf and the providers load behind one
// lazy boundary (src/app/synthesis.ts), so `tenantctl --help` never loads them. A new program per
// run, so tests can run commands in-process (commander keeps parsed options on the program).
function createProgram(): Command {
  const program = new Command('tenantctl')
    .description('Writes the Terraform (CDK for Terraform) for a multi-tenant SaaS platform on AWS EKS')
    .version(require(path.join(packageRoot(), 'package.json')).version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ tenantctl init platform --yes --account-id 111122223333
  $ tenantctl tenant add acme --tier enterprise
  $ tenantctl validate
  $ tenantctl changed --base origin/main --output json

Exit codes: 0 ok, 1 configuration or input error (or validation findings), 2 usage error,
130 stopped by SIGINT (Ctrl-C), 143 stopped by SIGTERM (nothing is left half-written).`,
    );
  for (const command of [init, platform, synth, tenant, release, validate, changed, cost, ci]) command.register(program);
  return program;
}

/** Runs one command line (`argv` as process.argv has it) and returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof TenantctlError) {
      process.stderr.write(`error: ${err.message}\n`);
      if (err.hint) process.stderr.write(`${err.hint}\n`);
      return err.exitCode;
    }
    if ((err as Error)?.name === 'ExitPromptError') {
      process.stderr.write('cancelled: nothing was written\n');
      return 1;
    }
    process.stderr.write(`unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  installInterruptHandlers();
  // A reader that stops early (`tenantctl --help | head -1`) closes the pipe: that ends the output, not in an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  void run(process.argv).then((code) => {
    process.exitCode = code;
  });
}
