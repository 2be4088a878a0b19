import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { deepMerge } from '../src/model/tiers';

/** The template expressions tenantctl's own charts may use. */
export const ALLOWED_EXPRESSION = /^((toJson )?\.Values\.[\w.]+|if \.Values\.[\w.]+|else|end)$/;

/**
 * Renders a chart template the way Helm does for the subset tenantctl's charts allow:
 * `{{ .Values.a.b }}`, `{{ toJson .Values.a }}`, `{{- if .Values.x }}`, `{{- else }}`, `{{- end }}` (`{{-` trims the
 * whitespace before it). Anything else fails, so a chart cannot silently outgrow this renderer.
 */
export function renderTemplate(template: string, values: Record<string, unknown>): string {
  const source = template.replace(/\s*\{\{-/g, '{{');
  const lookup = (p: string) => p.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values);
  const truthy = (v: unknown) =>
    !(v === undefined || v === null || v === false || v === '' || v === 0 || (typeof v === 'object' && Object.keys(v as object).length === 0));
  const blocks: { active: boolean; taken: boolean }[] = [];
  const active = () => blocks.every((b) => b.active);
  let out = '';
  let last = 0;
  for (const m of source.matchAll(/\{\{\s*(.*?)\s*\}\}/g)) {
    if (active()) out += source.slice(last, m.index);
    last = m.index! + m[0].length;
    const expr = m[1];
    let match: RegExpExecArray | null;
    if ((match = /^if \.Values\.([\w.]+)$/.exec(expr))) {
      const cond = truthy(lookup(match[1]));
      blocks.push({ active: cond, taken: cond });
    } else if (expr === 'else') {
      const block = blocks[blocks.length - 1];
      if (!block) throw new Error('else without if');
      block.active = !block.taken;
      block.taken = true;
    } else if (expr === 'end') {
      if (!blocks.pop()) throw new Error('end without if');
    } else if ((match = /^toJson \.Values\.([\w.]+)$/.exec(expr))) {
      if (active()) out += JSON.stringify(lookup(match[1]));
    } else if ((match = /^\.Values\.([\w.]+)$/.exec(expr))) {
      if (!active()) continue;
      const value = lookup(match[1]);
      if (value === undefined || value === null || typeof value === 'object') throw new Error(`.Values.${match[1]} is not a scalar value`);
      out += String(value);
    } else {
      throw new Error(`unsupported template expression {{ ${expr} }}`);
    }
  }
  if (blocks.length) throw new Error('if without end');
  return out + source.slice(last);
}

/** The chart's template files, sorted. */
export function templateFiles(chartDir: string): string[] {
  return fs
    .readdirSync(path.join(chartDir, 'templates'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

/** Every `{{ ... }}` expression of the chart's templates. */
export function templateExpressions(chartDir: string): string[] {
  return templateFiles(chartDir).flatMap((file) =>
    [...fs.readFileSync(path.join(chartDir, 'templates', file), 'utf8').matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/g)].map((m) => m[1]),
  );
}

/** The chart's values.yaml. */
export function chartDefaults(chartDir: string): Record<string, unknown> {
  return parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
}

/** All objects the chart renders with the values a helm_release passes (merged over the chart's defaults, as Helm does). */
export function renderChart(chartDir: string, release: { values: string[] }): any[] {
  const values = deepMerge(chartDefaults(chartDir), JSON.parse(release.values[0])) as Record<string, unknown>;
  return templateFiles(chartDir).flatMap((file) => {
    const text = renderTemplate(fs.readFileSync(path.join(chartDir, 'templates', file), 'utf8'), values);
    return parseAllDocuments(text).map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      return doc.toJS();
    });
  });
}
