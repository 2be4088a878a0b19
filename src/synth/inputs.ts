import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { PLATFORM_FILE, TENANTS_DIR, type Project } from '../model/project';
import { listTenantIds, tenantFile } from '../project/project';
import { credentialAccounts, projectStacks, type StackInfo } from '../model/workspaces';
import { packageRoot } from '../paths';

/** A project's configuration files by path relative to it (`platform.json`, `tenants/<id>.json`). */
export type ProjectFiles = ReadonlyMap<string, Buffer>;

/** The configuration files of the project in `dir`, as loadProject reads them. */
export function readProjectFiles(dir: string): ProjectFiles {
  const files = new Map<string, Buffer>([[PLATFORM_FILE, fs.readFileSync(path.join(dir, PLATFORM_FILE))]]);
  for (const id of listTenantIds(dir)) files.set(`${TENANTS_DIR}/${id}.json`, fs.readFileSync(tenantFile(dir, id)));
  return files;
}

/**
 * A digest per stack of the files it is built from, with `salt` (the code that builds it) mixed
 * in. No stack reads anything of the project but these files:
 *
 * - platform.json (which also holds the tier catalog) feeds every stack;
 * - the platform and cluster stacks are built from it alone;
 * - a tenant stack from it and its own tenant file;
 * - the workspaces stack (only with `terraformCloud`) from the list of tenants and each tenant's
 *   tier, account and status, so from every tenant file;
 * - a bootstrap-<account> stack from the files of the tenants whose runs need credentials in that
 *   account (credentialAccounts: the tenant commands re-synthesize the same stacks).
 *
 * Two sides with the same digest for a stack synthesize it to the same bytes (`changed` relies
 * on it to skip stacks, `validate` to reuse output).
 */
export function inputDigests(project: Project, files: ProjectFiles, salt = ''): Map<string, string> {
  const digest = (paths: readonly string[]) => {
    const hash = createHash('sha256').update(salt);
    for (const p of paths) hash.update(`\0${p}\0`).update(files.get(p) ?? '\0absent');
    return hash.digest('hex');
  };
  const stacks = projectStacks(project);
  const fileOf = (s: StackInfo) => `${TENANTS_DIR}/${s.tenant!.id}.json`;
  const tenants = stacks.filter((s) => s.kind === 'tenant');
  const allTenantFiles = [...files.keys()].filter((p) => p.startsWith(`${TENANTS_DIR}/`)).sort();
  return new Map(
    stacks.map((s) => {
      if (s.kind === 'tenant') return [s.name, digest([PLATFORM_FILE, fileOf(s)])];
      if (s.kind === 'workspaces') return [s.name, digest([PLATFORM_FILE, ...allTenantFiles])];
      if (s.kind === 'bootstrap')
        return [
          s.name,
          digest([
            PLATFORM_FILE,
            ...tenants
              .filter((t) => credentialAccounts(t).includes(s.accountName!))
              .map(fileOf)
              .sort(),
          ]),
        ];
      return [s.name, digest([PLATFORM_FILE])];
    }),
  );
}

let identity: string | undefined;

/**
 * What identifies the code that synthesizes: tenantctl's version, the content of its code (the
 * compiled code and, in a checkout, the sources it is built from: the same for the CLI and for
 * tests run from the sources, and changed by an edit without a version bump) and templates, and
 * the versions of cdktf and the providers it runs on.
 */
export function codeIdentity(): string {
  if (identity) return identity;
  const root = packageRoot();
  const hash = createHash('sha256');
  for (const pkg of ['.', 'cdktf', '@cdktf/provider-aws', '@cdktf/provider-kubernetes', '@cdktf/provider-helm', '@cdktf/provider-tfe']) {
    const file = pkg === '.' ? path.join(root, 'package.json') : require.resolve(`${pkg}/package.json`);
    hash.update(`${pkg}@${(JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version}\0`);
  }
  for (const dir of ['src', 'stacks', 'dist/src', 'dist/stacks', 'templates']) {
    for (const file of filesUnder(path.join(root, dir)).filter((f) => !f.endsWith('.map')))
      hash.update(`${dir}/${file}\0`).update(fs.readFileSync(path.join(root, dir, file)));
  }
  identity = hash.digest('hex');
  return identity;
}

/** Paths of the files below `dir` relative to it, sorted (none when it does not exist). */
export function filesUnder(dir: string, rel = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...filesUnder(dir, p));
    else out.push(p);
  }
  return out.sort();
}
