import type { ZodTypeAny } from 'zod';
import { ConfigError, UsageError } from './errors';
import { coerce, schemaAt } from './schema-path';

/** One `path=value` of the command line, typed by the schema at that path. */
export interface Setting {
  readonly keys: readonly string[];
  readonly value: unknown;
}

/**
 * Every segment is a field name or a list index: this refuses `a..b` (an empty key) and
 * `__proto__`, which would otherwise write into Object.prototype instead of the configuration.
 */
const PATH = /^[a-zA-Z]\w*(\.([a-zA-Z]\w*|\d+))*$/;

export function isSettingPath(path: string): boolean {
  return PATH.test(path);
}

/**
 * Reads a setting of a value of `schema` (`quota.cpu` in a tier, `eks.version` in platform.json).
 * An unknown field is refused here with the nearest known one, like in a hand-edited file;
 * `display` names the input in that message.
 */
export function parseSetting(schema: ZodTypeAny, path: string, raw: string, display: string): Setting {
  if (!isSettingPath(path))
    throw new UsageError(
      `${display}: ${JSON.stringify(path)} is not a dotted path of field names and list indexes, e.g. eks.nodeGroups.tenants.maxSize`,
    );
  const keys = path.split('.');
  const found = schemaAt(schema, keys);
  if ('problem' in found) throw new ConfigError(display, [{ field: found.at.join('.'), message: found.problem }]);
  return { keys, value: coerce(found.schema, raw) };
}

/**
 * Writes `setting` into `target`, creating the objects (or lists, at an index) along its path. A
 * missing object is first filled from `effective` (the same configuration with its defaults), so
 * that setting `eks.nodeGroups.tenants.maxSize` keeps the group's other defaults.
 */
export function applySetting(target: Record<string, unknown>, setting: Setting, effective?: unknown): void {
  type Node = Record<string, unknown>;
  let cur: Node = target;
  let defaults: unknown = effective;
  setting.keys.slice(0, -1).forEach((key, i) => {
    defaults = defaults !== null && typeof defaults === 'object' ? (defaults as Node)[key] : undefined;
    if (cur[key] === null || typeof cur[key] !== 'object') {
      cur[key] = defaults !== null && typeof defaults === 'object' ? structuredClone(defaults) : /^\d+$/.test(setting.keys[i + 1]) ? [] : {};
    }
    cur = cur[key] as Node;
  });
  cur[setting.keys[setting.keys.length - 1]] = setting.value;
}
