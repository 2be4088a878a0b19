import * as fs from 'fs';
import { templatePath } from '../paths';

/**
 * Renders a file from templates/ by replacing `{{name}}` placeholders. Every placeholder must
 * have a value and every value must be used, so a renamed variable fails loudly instead of
 * leaving `{{...}}` in generated SQL or YAML. Values are inserted verbatim: callers pass only
 * values they validated (identifiers, names), never free text.
 */
export function renderTemplate(relativePath: string, values: Record<string, string>): string {
  const text = templateText(relativePath);
  const used = new Set<string>();
  const out = text.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`template ${relativePath} uses {{${name}}} but no value was given`);
    used.add(name);
    return values[name];
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`template ${relativePath} does not use ${unused.join(', ')}`);
  return out;
}

/** Template files read so far: a synthesis renders the same few for every tenant, and they do not change while it runs. */
const templates = new Map<string, string>();

function templateText(relativePath: string): string {
  let text = templates.get(relativePath);
  if (text === undefined) {
    text = fs.readFileSync(templatePath(relativePath), 'utf8');
    templates.set(relativePath, text);
  }
  return text;
}
