import * as fs from 'fs';
import * as path from 'path';
import { UNUSED_SUPPRESSION } from '../../src/policy/engine';
import { allRules } from '../../src/policy/rules';
import { rulesMarkdownTable } from '../../src/policy/rules-table';

describe('README documents every rule', () => {
  const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const ids = [...allRules, UNUSED_SUPPRESSION].map((r) => r.id);

  test('rule ids are unique and well-formed', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^TC-[A-Z]+-\d{3}$/);
  });

  test('the generated table has one row per rule', () => {
    const rows = rulesMarkdownTable().trim().split('\n').slice(2);
    expect(rows.map((r) => r.split(' | ')[0].slice(2))).toEqual(ids);
  });

  test('README.md names every rule id (paste rulesMarkdownTable() under "## Validation rules")', () => {
    expect(ids.filter((id) => !readme.includes(id))).toEqual([]);
  });
});
