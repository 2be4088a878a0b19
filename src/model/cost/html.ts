import type { Estimate } from './estimate';
import { usd } from './report';

/**
 * `tenantctl cost --output html`: one self-contained page (inline CSS and SVG, no script, no
 * external asset), readable when opened from disk. Two bar charts (cost by component, cost per
 * tenant by tier split into its parts) and the tables behind them.
 */

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLOURS = { platform: '#4e79a7', 'shared-nodes': '#59a14f', dedicated: '#e15759' } as const;
const LABEL_WIDTH = 260;
const BAR_WIDTH = 420;
const ROW = 26;

interface Segment {
  readonly value: number;
  readonly colour: string;
  readonly name: string;
}

/** A horizontal bar chart: one row per bar, each bar of one or more segments, its total written after it. */
function barChart(id: string, title: string, rows: readonly { label: string; segments: readonly Segment[] }[]): string {
  const max = Math.max(...rows.map((r) => r.segments.reduce((n, s) => n + s.value, 0)), 1e-9);
  const height = rows.length * ROW + 10;
  const width = LABEL_WIDTH + BAR_WIDTH + 120;
  const bars = rows.map((r, i) => {
    const y = i * ROW + 5;
    let x = LABEL_WIDTH;
    const rects = r.segments.map((s) => {
      const w = (s.value / max) * BAR_WIDTH;
      const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 8}" fill="${s.colour}"><title>${escape(`${r.label}: ${s.name} ${usd(s.value)}`)}</title></rect>`;
      x += w;
      return rect;
    });
    const total = r.segments.reduce((n, s) => n + s.value, 0);
    return [
      `<g class="bar" data-label="${escape(r.label)}" data-value="${total.toFixed(2)}">`,
      `<text x="${LABEL_WIDTH - 8}" y="${y + ROW / 2}" text-anchor="end">${escape(r.label)}</text>`,
      ...rects,
      `<text x="${(x + 6).toFixed(1)}" y="${y + ROW / 2}">${escape(usd(total))}</text>`,
      '</g>',
    ].join('');
  });
  return [
    `<figure><figcaption id="${id}-title">${escape(title)}</figcaption>`,
    `<svg id="${id}" role="img" aria-labelledby="${id}-title" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${escape(title)}</title>`,
    ...bars,
    '</svg></figure>',
  ].join('\n');
}

function table(headers: string[], rows: string[][]): string {
  const head = headers.map((h) => `<th>${escape(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const legend = () =>
  `<p class="legend">${Object.entries({ platform: 'shared platform', 'shared-nodes': 'shared tenant nodes', dedicated: 'dedicated nodes' })
    .map(([k, v]) => `<span><i style="background:${COLOURS[k as keyof typeof COLOURS]}"></i>${v}</span>`)
    .join(' ')}</p>`;

export function costHtml(e: Estimate, name: string): string {
  const byComponent = barChart(
    'cost-by-component',
    `Monthly cost by component (total ${usd(e.totals.monthly)})`,
    [...e.lines]
      .sort((a, b) => b.monthly - a.monthly)
      .map((l) => ({ label: l.component, segments: [{ value: l.monthly, colour: COLOURS[l.pool], name: l.pool }] })),
  );
  const byTier = barChart(
    'cost-by-tier',
    'Monthly cost per tenant by tier',
    e.tiers.map((t) => ({
      label: t.tier,
      segments: [
        { value: t.dedicatedPerTenant, colour: COLOURS.dedicated, name: 'dedicated nodes' },
        { value: t.platformSharePerTenant, colour: COLOURS.platform, name: 'platform share' },
        { value: t.sharedNodesSharePerTenant, colour: COLOURS['shared-nodes'], name: 'shared nodes share' },
      ],
    })),
  );
  const pct = (n: number | null) => (n === null ? '' : `${(n * 100).toFixed(1)} %`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(`tenantctl cost: ${name}`)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 960px; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td:nth-child(2) { white-space: nowrap; }
svg text { font: 12px system-ui, sans-serif; dominant-baseline: middle; fill: #222; }
figure { margin: 1rem 0; } figcaption { font-weight: 600; margin-bottom: .25rem; }
.legend span { margin-right: 1rem; } .legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -1px; }
.note { color: #555; }
</style>
</head>
<body>
<h1>${escape(`Monthly cost of ${name} in ${e.region}: ${usd(e.totals.monthly)}`)}</h1>
<p class="note">${escape(`USD, on-demand prices of ${e.priceTable.date} (${e.priceTable.source}). Shared platform ${usd(e.totals.platform)}, shared tenant nodes ${usd(e.totals.sharedNodes)}, dedicated nodes ${usd(e.totals.dedicated)}.`)}</p>
${legend()}
${byComponent}
${byTier}
<h2>Line items</h2>
${table(
  ['component', 'monthly', 'pool', 'detail'],
  e.lines.map((l) => [l.component, usd(l.monthly), l.pool, l.detail]),
)}
<h2>Per tier</h2>
${table(
  ['tier', 'tenants', 'dedicated', 'platform share', 'shared nodes share', 'per tenant', 'price', 'margin'],
  e.tiers.map((t) => [
    t.tier,
    String(t.tenants),
    usd(t.dedicatedPerTenant),
    usd(t.platformSharePerTenant),
    usd(t.sharedNodesSharePerTenant),
    usd(t.perTenant),
    t.price === null ? '' : usd(t.price),
    pct(t.margin),
  ]),
)}
<p class="note">${escape(e.shareRule)}</p>
<h2>Optimisations</h2>
${table(
  ['optimisation', 'monthly saving', 'status', 'detail'],
  e.optimisations.map((o) => [o.title, usd(o.monthlySaving), o.applied ? 'applied' : `not applied: ${o.apply}`, o.detail]),
)}
<h2>Assumptions</h2>
${table(
  ['assumption', 'value'],
  Object.entries(e.assumptions).map(([k, v]) => [k, String(v)]),
)}
</body>
</html>
`;
}
