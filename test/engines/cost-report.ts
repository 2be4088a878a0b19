import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { tenantctl } from './fixtures';
import type { Report } from './report';
import { run, type Tools } from './tools';

const CLI = path.resolve(__dirname, '../../bin/tenantctl.js');
/** Headless Chromium's flags: no sandbox (root in a container), no GPU, and no network at all. */
const CHROMIUM = ['--headless', '--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP * ~NOTFOUND', '--window-size=1000,1600'];

interface CostDoc {
  readonly lines: readonly { readonly component: string; readonly monthly: number }[];
  readonly tiers: readonly { readonly tier: string; readonly perTenant: number }[];
}

/** The `<g class="bar">` groups of one chart in Chromium's DOM: label, value and the widths of its bars. */
function bars(dom: string, chart: string): { label: string; text: string[]; widths: number[] }[] | undefined {
  const svg = new RegExp(`<svg id="${chart}" role="img" aria-labelledby="${chart}-title"[^>]*>([\\s\\S]*?)</svg>`).exec(dom)?.[1];
  if (!svg) return undefined;
  return [...svg.matchAll(/<g class="bar" data-label="([^"]*)"[^>]*>([\s\S]*?)<\/g>/g)].map(([, label, body]) => ({
    label,
    text: [...body.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
    widths: [...body.matchAll(/<rect[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1])),
  }));
}

/**
 * `tenantctl cost --output html`, opened from disk in headless Chromium: the page Chromium parsed
 * (its DOM) holds both charts as SVG, labelled, with one bar per line item and per tier, each
 * labelled with its name and of a width in proportion to its cost; and Chromium renders it (a
 * screenshot) with the network unreachable, which a page needing any external asset would show.
 */
export async function costReportEngine(tools: Tools, workDir: string, report: Report): Promise<void> {
  const dir = path.join(workDir, 'project');
  fs.mkdirSync(dir, { recursive: true });
  await tenantctl(['init', 'platform', '--yes', '--account-id', '111122223333', '--quiet'], dir);
  await tenantctl(['tenant', 'add', 'acme', '--tier', 'enterprise', '--quiet'], dir);
  const prices = ['--price', 'starter=29', '--price', 'standard=99', '--price', 'enterprise=499'];
  await tenantctl(['cost', ...prices, '--output', 'html', '--out', 'cost.html'], dir);
  const json = await run(process.execPath, [CLI, 'cost', ...prices, '--output', 'json'], { cwd: dir, env: { CI: 'true', CHECKPOINT_DISABLE: '1' } });
  const doc = JSON.parse(json.stdout) as CostDoc;
  const page = pathToFileURL(path.join(dir, 'cost.html')).href;

  const dom = await run(tools.chromium, [...CHROMIUM, '--dump-dom', page]);
  const problems: string[] = [];
  if (dom.code !== 0) problems.push(`chromium --dump-dom exited ${dom.code}: ${dom.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const expected: [string, { label: string; value: number }[]][] = [
    ['cost-by-component', doc.lines.map((l) => ({ label: l.component, value: l.monthly }))],
    ['cost-by-tier', doc.tiers.map((t) => ({ label: t.tier, value: t.perTenant }))],
  ];
  for (const [chart, want] of expected) {
    const found = bars(dom.stdout, chart);
    if (!found) {
      problems.push(`${chart}: no labelled <svg id="${chart}" role="img" aria-labelledby="${chart}-title"> in the DOM`);
      continue;
    }
    if (!new RegExp(`<figcaption id="${chart}-title">[^<]+</figcaption>`).test(dom.stdout))
      problems.push(`${chart}: its caption is missing or empty`);
    const labels = found.map((b) => b.label).sort();
    if (JSON.stringify(labels) !== JSON.stringify(want.map((w) => w.label).sort()))
      problems.push(`${chart}: bars ${JSON.stringify(labels)}, expected ${JSON.stringify(want.map((w) => w.label))}`);
    const max = Math.max(...want.map((w) => w.value));
    for (const w of want) {
      const bar = found.find((b) => b.label === w.label);
      if (!bar) continue;
      if (!bar.text.includes(w.label)) problems.push(`${chart}: the bar of ${w.label} carries no label text`);
      const width = bar.widths.reduce((n, x) => n + x, 0);
      if (w.value > 0 && !(width > 0)) problems.push(`${chart}: the bar of ${w.label} (${w.value}) has no width`);
      if (w.value === max && Math.abs(width - Math.max(...found.map((b) => b.widths.reduce((n, x) => n + x, 0)))) > 0.5)
        problems.push(`${chart}: the largest cost (${w.label}) is not the longest bar`);
    }
  }

  const png = path.join(workDir, 'cost.png');
  const shot = await run(tools.chromium, [...CHROMIUM, `--screenshot=${png}`, page]);
  const size = fs.existsSync(png) ? fs.statSync(png).size : 0;
  if (shot.code !== 0 || size < 10_000) problems.push(`chromium --screenshot exited ${shot.code} and wrote ${size} bytes`);

  report.record(
    'report',
    'cost.html',
    problems.length === 0,
    problems.length
      ? `${problems.length} problem(s) in the page as Chromium reads it`
      : `Chromium parsed both charts (${doc.lines.length} component bars, ${doc.tiers.length} tier bars, each labelled) and rendered the page offline (${Math.round(size / 1024)} KiB screenshot)`,
    problems,
  );
}
