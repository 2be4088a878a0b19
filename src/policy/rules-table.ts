import { UNUSED_SUPPRESSION } from './engine';
import { allRules } from './rules';

/** The README's table of every rule `tenantctl validate` reports (id, severity, title, rationale). */
export function rulesMarkdownTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = [...allRules, UNUSED_SUPPRESSION].map((r) => `| ${r.id} | ${r.severity} | ${cell(r.title)} | ${cell(r.rationale)} |`);
  return ['| Rule | Severity | Checks that | Why |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}
