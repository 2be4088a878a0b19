import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../paths';
import { TenantctlError } from '../model/errors';
import { EXACT_VERSION } from '../model/versions';

/** The project's npm manifest: `npm ci` in CI installs tenantctl and cdktf-cli from it. */
export const PACKAGE_FILE = 'package.json';

/** The tools a project needs installed: tenantctl itself and the cdktf CLI of `npx cdktf synth|diff|deploy`. */
export interface ProjectTools {
  /** How tenantctl was installed (a git URL at a tag, a tarball); undefined when unknown. */
  readonly tenantctl?: string;
  /** The exact cdktf-cli version tenantctl is built and tested with. */
  readonly cdktfCli: string;
}

export interface ProjectPackagePlan {
  readonly file: string;
  /** The new package.json text; undefined when nothing changes. */
  readonly text?: string;
  readonly created: boolean;
  /** Entries added to devDependencies, name to spec. */
  readonly added: Readonly<Record<string, string>>;
  /** What the user runs next to install the tools (npm install, or tenantctl's own install when its source is unknown). */
  readonly next: readonly string[];
  /** An existing entry kept at another version than tenantctl's. */
  readonly notes: readonly string[];
}

/** tenantctl's own package.json, read where the running copy is installed. */
function ownPackage(): { version: string; devDependencies: Record<string, string> } {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), PACKAGE_FILE), 'utf8'));
}

/** What the running tenantctl would have a project at `dir` install. */
export function projectTools(dir: string): ProjectTools {
  const cdktfCli = ownPackage().devDependencies['cdktf-cli'];
  if (!EXACT_VERSION.test(cdktfCli ?? '')) throw new Error(`tenantctl's package.json must pin cdktf-cli to an exact version, not ${cdktfCli}`);
  return { tenantctl: installedSpec(packageRoot(), dir), cdktfCli };
}

/**
 * The dependency spec a tenantctl installed at `root` was installed with, for a project at `dir`:
 * the spec in the package.json beside the node_modules that holds it (another project, or the
 * npx cache after `npx <git URL or tarball> init platform`), a `file:` path made relative to
 * `dir`. Undefined for a checkout or a global install, which record none.
 */
export function installedSpec(root: string, dir: string): string | undefined {
  if (path.basename(path.dirname(root)) !== 'node_modules') return undefined;
  const owner = path.dirname(path.dirname(root));
  const file = path.join(owner, PACKAGE_FILE);
  if (!fs.existsSync(file)) return undefined;
  let pkg: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  try {
    pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const spec = pkg.dependencies?.[path.basename(root)] ?? pkg.devDependencies?.[path.basename(root)];
  if (!spec?.startsWith('file:')) return spec;
  const relative = path
    .relative(dir, path.resolve(owner, spec.slice('file:'.length)))
    .split(path.sep)
    .join('/');
  return `file:${relative.startsWith('.') ? relative : `./${relative}`}`;
}

/**
 * Adds tenantctl and cdktf-cli to the devDependencies of the project's package.json (created
 * when absent). An entry the project already has, under any dependency kind, is kept as it is:
 * it is how the user installed that tool, and overwriting it could downgrade it.
 */
export function planProjectPackage(dir: string, tools: ProjectTools = projectTools(dir)): ProjectPackagePlan {
  const file = path.join(dir, PACKAGE_FILE);
  // tenantctl's own repository (`npm run quickstart` makes its demo project there) needs neither.
  if (fs.existsSync(dir) && fs.realpathSync(dir) === fs.realpathSync(packageRoot())) return { file, created: false, added: {}, next: [], notes: [] };
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  let pkg: Record<string, unknown>;
  try {
    pkg = existing === undefined ? { private: true } : JSON.parse(existing);
  } catch (err) {
    throw new TenantctlError(
      `${file} is not valid JSON: ${(err as Error).message}`,
      'Fix it (tenantctl adds its devDependencies to it) and run the command again; nothing was written.',
    );
  }
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg))
    throw new TenantctlError(`${file} does not hold a JSON object`, 'Fix it and run the command again; nothing was written.');

  const kinds = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
  const current = (name: string) => kinds.map((k) => (pkg[k] as Record<string, string> | undefined)?.[name]).find((v) => v !== undefined);
  const wanted: Record<string, string | undefined> = { tenantctl: tools.tenantctl, 'cdktf-cli': tools.cdktfCli };
  const added: Record<string, string> = {};
  const notes: string[] = [];
  let unknownTenantctl = false;
  for (const [name, spec] of Object.entries(wanted)) {
    const have = current(name);
    if (have !== undefined) {
      if (spec !== undefined && name === 'cdktf-cli' && have !== spec)
        notes.push(`${file} keeps cdktf-cli ${have}; this tenantctl is built with cdktf-cli ${spec}, which \`npx cdktf\` should match`);
    } else if (spec === undefined) {
      unknownTenantctl = true;
    } else {
      added[name] = spec;
    }
  }
  // `npm install --save-dev <tenantctl>` installs what was added as well.
  const next = unknownTenantctl
    ? [
        'npm install --save-dev <tenantctl git URL at a tag, or tarball> (package.json does not list tenantctl, and CI installs it from ' +
          'there: README "Using tenantctl for your platform"); commit package.json and package-lock.json',
      ]
    : Object.keys(added).length
      ? ['npm install (installs them and writes package-lock.json; commit both files)']
      : [];
  if (!Object.keys(added).length) return { file, created: false, added, next, notes };
  const devDependencies = { ...(pkg.devDependencies as Record<string, string> | undefined), ...added };
  // Sorted as npm keeps them, indented as the file was.
  pkg.devDependencies = Object.fromEntries(Object.entries(devDependencies).sort(([a], [b]) => a.localeCompare(b)));
  const indent = (existing && /^[ \t]+(?=")/m.exec(existing)?.[0]) || 2;
  return { file, text: JSON.stringify(pkg, null, indent) + '\n', created: existing === undefined, added, next, notes };
}
