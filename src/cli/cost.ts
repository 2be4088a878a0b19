import * as path from 'path';
import type { Command } from 'commander';
import { projectCost } from '../app/cost';
import { DEFAULT_ASSUMPTIONS } from '../model/cost/config';
import { costHtml } from '../model/cost/html';
import { costHuman, costJson, costMarkdown } from '../model/cost/report';
import { UsageError } from '../model/errors';
import { writeTextAtomic } from '../project/files';
import { addDirOption, projectDir } from './common';
import { parseOutputFormat } from './output';

interface CostCommandOptions {
  dir: string;
  output?: string;
  out?: string;
  price: string[];
  set: string[];
  base?: string;
}

const FORMATS = ['human', 'json', 'markdown', 'html'];
const collect = (value: string, previous: string[]) => [...previous, value];

/** `--price standard=99` flags as a price per tier. */
export function parseTierPrices(flags: readonly string[]): Record<string, number> {
  const prices: Record<string, number> = {};
  for (const flag of flags) {
    const m = /^([a-z][a-z0-9-]*)=(\d+(?:\.\d+)?)$/.exec(flag);
    if (!m)
      throw new UsageError(
        `--price ${JSON.stringify(flag)} is not <tier>=<monthly USD>`,
        'e.g. --price starter=29 --price standard=99 --price enterprise=499',
      );
    if (m[1] in prices) throw new UsageError(`--price ${m[1]} is given twice`);
    prices[m[1]] = Number(m[2]);
  }
  return prices;
}

export function register(program: Command): void {
  addDirOption(
    program
      .command('cost')
      .description('estimate the monthly AWS cost of the platform, per tier and per tenant, with margins and optimisations')
      .option('-o, --output <format>', `output format: ${FORMATS.join(', ')}`, 'human')
      .option('--out <file>', 'write the report to this file (atomically) instead of stdout; needed with --output html')
      .option('--price <tier=usd>', 'monthly price of a tier, for its margin (repeatable)', collect, [])
      .option('--set <assumption=value>', 'override an assumption for this run (repeatable)', collect, [])
      .option('--base <ref>', 'also price the project at this git ref and show the change (as `changed` reads it)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ tenantctl cost
  $ tenantctl cost --price starter=29 --price standard=99 --price enterprise=499
  $ tenantctl cost --set logIngestGb=250 --set spotDiscount=0.6 --output json
  $ tenantctl cost --output html --out cost.html
  $ tenantctl cost --base origin/main --output markdown      # the pull request comment

Prices are the on-demand price table shipped with tenantctl (no network is used), overridden by
platform.json "cost.prices". Assumptions (platform.json "cost.assumptions", or --set):
  ${Object.entries(DEFAULT_ASSUMPTIONS)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}
The platform stack is synthesized into cdktf.out unless it is up to date there. Exit codes: 0 ok,
1 configuration error or a price missing for the region, 2 usage error.`,
    )
    .action(async (opts: CostCommandOptions) => {
      const format = parseOutputFormat(opts.output, FORMATS);
      if (format === 'html' && !opts.out) throw new UsageError('--output html writes a page: pass --out <file>, e.g. --out cost.html');
      const tierPrices = parseTierPrices(opts.price);
      const dir = projectDir(opts);
      const { name, estimate, delta } = await projectCost(dir, { settings: opts.set, tierPrices, base: opts.base });
      const text =
        format === 'json'
          ? JSON.stringify(costJson(estimate, delta), null, 2) + '\n'
          : format === 'markdown'
            ? costMarkdown(estimate, name, delta)
            : format === 'html'
              ? costHtml(estimate, name)
              : costHuman(estimate, name, delta);
      if (opts.out) {
        const file = path.resolve(opts.out);
        writeTextAtomic(file, text);
        process.stderr.write(`wrote ${path.relative(process.cwd(), file) || file}\n`);
      } else process.stdout.write(text);
    });
}
