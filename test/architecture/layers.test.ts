import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The layering README.md's Architecture section describes, checked over the import graph of the
 * sources (static, type-only and lazy imports alike): a folder imports only from lower layers and
 * from itself. Folders in one layer are siblings and do not import each other.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['src/model'],
  ['src/runtime', 'src/paths.ts'],
  ['src/templates'],
  ['src/project', 'src/database', 'src/manifests'],
  ['stacks'],
  ['src/synth', 'src/policy', 'src/ci'],
  ['src/app'],
  ['src/cli'],
  ['bin'],
];

/** Packages that do input or output, or build Terraform: none of them belongs in the pure model. */
const IMPURE =
  /^(fs|fs\/promises|os|child_process|worker_threads|net|http|https|proper-lockfile|write-file-atomic|cdktf|constructs|@cdktf\/.*|node:.*)$/;
/** cdktf and the providers are loaded by the constructs and by synthesis only. */
const CDKTF = /^(cdktf|constructs|@cdktf\/.*)$/;
const CDKTF_USERS = ['stacks', 'src/synth'];

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The unit a file belongs to: the longest layer entry that contains it. */
function unitOf(file: string): string | undefined {
  return LAYERS.flat()
    .filter((u) => file === u || file.startsWith(`${u}/`))
    .sort((a, b) => b.length - a.length)[0];
}

const rank = (unit: string) => LAYERS.findIndex((l) => l.includes(unit));

interface Import {
  readonly from: string;
  readonly spec: string;
  /** Repository-relative path of a relative import's target, without extension. */
  readonly target?: string;
}

function importsOf(file: string): Import[] {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(path.join(root, file), 'utf8'), true, true);
  return importedFiles.map(({ fileName: spec }) => {
    if (!spec.startsWith('.')) return { from: file, spec };
    const target = path.relative(root, path.resolve(root, path.dirname(file), spec));
    return { from: file, spec, target: fs.existsSync(path.join(root, `${target}.ts`)) ? `${target}.ts` : target };
  });
}

/** Imports of a unit from its own layer or a higher one. */
function upward(list: readonly Import[]): string[] {
  return list
    .filter((i) => i.target && unitOf(i.target))
    .filter((i) => {
      const from = unitOf(i.from)!;
      const to = unitOf(i.target!)!;
      return from !== to && rank(to) >= rank(from);
    })
    .map((i) => `${i.from} imports ${i.spec}`);
}

const files = ['bin', 'src', 'stacks'].flatMap(sources);
const imports = files.flatMap(importsOf);

describe('architecture: the import graph follows the layers', () => {
  it('places every source file in a layer', () => {
    expect(files.filter((f) => unitOf(f) === undefined)).toEqual([]);
  });

  it('imports only from lower layers or from the same folder', () => {
    expect(upward(imports)).toEqual([]);
  });

  it('keeps the model pure: no file system, process or cdktf imports', () => {
    const impure = imports.filter((i) => unitOf(i.from) === 'src/model' && IMPURE.test(i.spec)).map((i) => `${i.from} imports ${i.spec}`);
    expect(impure).toEqual([]);
  });

  it('loads cdktf and the providers only in the constructs and synthesis', () => {
    const users = imports.filter((i) => CDKTF.test(i.spec) && !CDKTF_USERS.includes(unitOf(i.from)!)).map((i) => `${i.from} imports ${i.spec}`);
    expect(users).toEqual([]);
  });

  it('finds an upward import, lazy or type-only, and a sibling import', () => {
    // Guards the check itself, on the parser it relies on.
    const text = "import type { X } from '../project/project';\nconst f = () => import('../cli/tenant');\nconst g = require('../ci/github');";
    const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    expect(specs).toEqual(['../project/project', '../cli/tenant', '../ci/github']);
    const fake = (from: string, target: string): Import => ({ from, spec: target, target });
    expect(
      upward([
        fake('src/model/a.ts', 'src/project/project.ts'),
        fake('src/policy/a.ts', 'src/synth/app.ts'),
        fake('src/cli/a.ts', 'src/model/names.ts'),
      ]),
    ).toEqual(['src/model/a.ts imports src/project/project.ts', 'src/policy/a.ts imports src/synth/app.ts']);
  });
});
