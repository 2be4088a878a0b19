import type { CostDelta } from './delta';
import type { Estimate } from './estimate';

/**
 * `tenantctl cost` output for people (aligned text), for pull requests (Markdown tables) and for
 * machines (JSON, version COST_JSON_VERSION: fields are only ever added within a version).
 */
export const COST_JSON_VERSION = 1;

export const usd = (n: number): string =>
  `${n < 0 ? '-' : ''}$${Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const signed = (n: number) => (n > 0 ? `+${usd(n)}` : usd(n));
const percent = (n: number | null) => (n === null ? '' : `${(n * 100).toFixed(1)} %`);

/** The machine-readable report: the estimate as computed, with its version, currency and the delta when asked. */
export function costJson(estimate: Estimate, delta?: CostDelta): unknown {
  return {
    version: COST_JSON_VERSION,
    currency: 'USD',
    region: estimate.region,
    priceTable: estimate.priceTable,
    assumptions: estimate.assumptions,
    reservedNodeGroups: estimate.reservedNodeGroups,
    lines: estimate.lines,
    totals: estimate.totals,
    tenants: estimate.tenants,
    perTenantAverage: estimate.perTenantAverage,
    shareRule: estimate.shareRule,
    tiers: estimate.tiers,
    optimisations: estimate.optimisations,
    optimisedMonthly: estimate.optimisedMonthly,
    unknownTypes: estimate.unknownTypes,
    ...(delta ? { delta } : {}),
  };
}

interface Table {
  readonly headers: string[];
  readonly rows: string[][];
  /** Columns aligned right (numbers). */
  readonly right: number[];
}

function linesTable(e: Estimate): Table {
  return {
    headers: ['component', 'monthly', 'pool', 'detail'],
    rows: [...e.lines.map((l) => [l.component, usd(l.monthly), l.pool, l.detail]), ['total', usd(e.totals.monthly), '', '']],
    right: [1],
  };
}

function tiersTable(e: Estimate): Table {
  return {
    headers: ['tier', 'nodes', 'tenants', 'dedicated', 'platform share', 'shared nodes share', 'per tenant', 'price', 'margin'],
    rows: e.tiers.map((t) => [
      t.tier,
      t.isolation,
      String(t.tenants),
      usd(t.dedicatedPerTenant),
      usd(t.platformSharePerTenant),
      usd(t.sharedNodesSharePerTenant),
      usd(t.perTenant),
      t.price === null ? '' : usd(t.price),
      percent(t.margin),
    ]),
    right: [2, 3, 4, 5, 6, 7, 8],
  };
}

function optimisationsTable(e: Estimate): Table {
  return {
    headers: ['optimisation', 'monthly saving', 'status', 'detail'],
    rows: e.optimisations.map((o) => [o.title, usd(o.monthlySaving), o.applied ? 'applied' : `not applied: ${o.apply}`, o.detail]),
    right: [1],
  };
}

function assumptionsTable(e: Estimate): Table {
  return { headers: ['assumption', 'value'], rows: Object.entries(e.assumptions).map(([k, v]) => [k, String(v)]), right: [1] };
}

function deltaTable(d: CostDelta): Table {
  return {
    headers: ['component', 'base', 'now', 'change'],
    rows: [
      ...d.lines.map((l) => [l.component, usd(l.base), usd(l.head), signed(l.delta)]),
      ['total', usd(d.total.base), usd(d.total.head), signed(d.total.delta)],
    ],
    right: [1, 2, 3],
  };
}

function text(t: Table): string {
  const widths = t.headers.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : t.right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(t.headers), ...t.rows.map(line)].join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|');
function markdown(t: Table): string {
  const rule = t.headers.map((_, i) => (t.right.includes(i) ? '---:' : '---'));
  return [t.headers, rule, ...t.rows].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n');
}

function summary(e: Estimate): string[] {
  const average = e.perTenantAverage === null ? 'no tenants yet' : `${e.tenants} tenants, ${usd(e.perTenantAverage)} per tenant on average`;
  return [
    `Shared platform ${usd(e.totals.platform)}, shared tenant nodes ${usd(e.totals.sharedNodes)}, dedicated nodes ${usd(e.totals.dedicated)} a month; ${average}.`,
    `With every optimisation not yet applied: ${usd(e.optimisedMonthly)} a month.`,
  ];
}

function header(e: Estimate, name: string): string {
  return `Monthly cost of ${name} in ${e.region} (USD, on-demand prices of ${e.priceTable.date}: ${e.priceTable.source})`;
}

function unknown(e: Estimate): string[] {
  return e.unknownTypes.length
    ? [`Not priced (tenantctl does not know these resource types): ${e.unknownTypes.map((u) => `${u.type} (${u.stacks.join(', ')})`).join(', ')}`]
    : [];
}

export function costHuman(e: Estimate, name: string, delta?: CostDelta): string {
  const parts = [header(e, name), '', text(linesTable(e)), '', ...summary(e), '', text(tiersTable(e)), '', `Share rule: ${e.shareRule}`, ''];
  parts.push('Optimisations (each saving alone; they overlap on the tenants nodes):', text(optimisationsTable(e)), '');
  parts.push('Assumptions (--set <assumption>=<value>, or cost.assumptions in platform.json):', text(assumptionsTable(e)), ...unknown(e));
  if (delta) parts.push('', `Change since ${delta.base} (${delta.baseCommit.slice(0, 12)}):`, deltaLines(delta, text));
  return parts.join('\n') + '\n';
}

/** Up to this many tenants of a tier are named; beyond, they are counted. */
const NAMED_TENANTS = 5;

/** Tenants by tier, each tier at what one of its tenants costs: `acme (enterprise, $592.16 a month each: ...)`. */
function tenantGroups(list: CostDelta['tenantsAdded']): string {
  return [...new Set(list.map((t) => t.tier))]
    .map((tier) => {
      const members = list.filter((t) => t.tier === tier);
      const who = members.length <= NAMED_TENANTS ? members.map((t) => t.id).join(', ') : `${members.length} tenants`;
      return `${who} (${tier}, ${usd(members[0].monthly)} a month each: dedicated nodes and share)`;
    })
    .join('; ');
}

function deltaLines(d: CostDelta, render: (t: Table) => string): string {
  if (!d.lines.length && !d.tenantsAdded.length && !d.tenantsRemoved.length) return 'No change in the monthly cost.';
  const out = [render(deltaTable(d))];
  for (const [what, list] of [
    ['added', d.tenantsAdded],
    ['removed', d.tenantsRemoved],
  ] as const)
    if (list.length) out.push('', `Tenants ${what}: ${tenantGroups(list)}`);
  if (d.tiers.length) out.push('', `Cost per tenant: ${d.tiers.map((t) => `${t.tier} ${signed(t.delta)}`).join(', ')}`);
  return out.join('\n');
}

export function costMarkdown(e: Estimate, name: string, delta?: CostDelta): string {
  if (delta) {
    // The pull request comment: the change first, the estimate folded below it.
    return [
      `#### Monthly cost change: ${signed(delta.total.delta)} (${usd(delta.total.base)} -> ${usd(delta.total.head)})`,
      '',
      deltaLines(delta, markdown),
      '',
      '<details><summary>Estimate now, per tier and the optimisations</summary>',
      '',
      costMarkdown(e, name).trimEnd(),
      '',
      '</details>',
      '',
    ].join('\n');
  }
  return (
    [
      `#### ${header(e, name)}`,
      '',
      markdown(linesTable(e)),
      '',
      ...summary(e),
      '',
      markdown(tiersTable(e)),
      '',
      `Share rule: ${e.shareRule}`,
      '',
      markdown(optimisationsTable(e)),
      '',
      markdown(assumptionsTable(e)),
      ...unknown(e).map((u) => `\n${u}`),
    ].join('\n') + '\n'
  );
}
