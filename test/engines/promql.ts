import * as fs from 'fs';
import * as path from 'path';
import type { TerraformJson } from './aws-only';
import type { Stack } from './fixtures';
import type { Report } from './report';
import { run, type Tools } from './tools';

/**
 * The PromQL engine: every query of every Argo Rollouts AnalysisTemplate a fixture's tenant stacks
 * write, parsed by Prometheus' own parser (test/engines/promql, Go), with Argo Rollouts'
 * `{{args.<name>}}` replaced by a value as the controller does before it queries. A query that
 * does not parse, or is not an instant vector or scalar, would fail every canary it judges.
 */

interface PromqlQuery {
  readonly name: string;
  readonly query: string;
  readonly valid: boolean;
}

/** What Argo Rollouts substitutes for an argument: a plain label value. */
const ARGUMENT_VALUE = 'sample-1.0.0';

/** Refused by any PromQL parser: proves the engine refuses at all. */
const BROKEN: PromqlQuery = {
  name: 'a query with an unclosed selector (must be refused)',
  query: 'sum(rate(istio_requests_total{reporter="destination"[2m]))',
  valid: false,
};

export function fixtureQueries(stacks: readonly Stack[]): PromqlQuery[] {
  return stacks.flatMap((stack) =>
    Object.entries<TerraformJson>(stack.json.resource?.kubernetes_manifest ?? {})
      .filter(([, r]) => r.manifest?.kind === 'AnalysisTemplate')
      .flatMap(([address, r]) =>
        (r.manifest.spec.metrics as TerraformJson[]).map((m) => ({
          name: `${stack.id} kubernetes_manifest.${address} ${m.name}`,
          query: String(m.provider.prometheus.query).replace(/\{\{\s*args\.[A-Za-z0-9_-]+\s*\}\}/g, ARGUMENT_VALUE),
          valid: true,
        })),
      ),
  );
}

export async function promqlEngine(tools: Tools, fixtures: readonly (readonly Stack[])[], workDir: string, report: Report): Promise<void> {
  fs.mkdirSync(workDir, { recursive: true });
  for (const stacks of fixtures) {
    const queries = fixtureQueries(stacks);
    if (!queries.length) continue;
    const fixture = stacks[0].id.split('/')[0];
    const file = path.join(workDir, `${fixture}.json`);
    fs.writeFileSync(file, JSON.stringify({ queries: [...queries, BROKEN] }));
    const res = await run('sh', ['-c', 'exec "$0" < "$1"', tools.promql, file]);
    const lines = res.stdout.split('\n').filter(Boolean);
    report.record(
      'promql',
      fixture,
      res.code === 0,
      lines.at(-1) ?? res.stderr.trim(),
      lines.filter((l) => l.startsWith('FAIL')),
    );
  }
}
