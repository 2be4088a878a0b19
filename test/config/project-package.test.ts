import * as fs from 'fs';
import * as path from 'path';
import { TenantctlError } from '../../src/model/errors';
import { installedSpec, planProjectPackage, projectTools } from '../../src/project/project-package';
import { repoRoot } from '../cli/helpers';
import { tempDir } from '../util';

const scratch = tempDir('tenantctl-package-');
let n = 0;
/** A fresh directory, with the given files. */
function dirWith(files: Record<string, string> = {}): string {
  const dir = path.join(scratch, `case-${n++}`);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
const TOOLS = { tenantctl: 'git+https://git.example.com/platform/tenantctl.git#v0.1.0', cdktfCli: '0.21.0' };

describe('projectTools', () => {
  test('THEN cdktf-cli is the exact version of the cdktf library tenantctl synthesizes with', () => {
    const own = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(projectTools(dirWith()).cdktfCli).toBe(own.dependencies.cdktf);
    expect(own.devDependencies['cdktf-cli']).toBe(own.dependencies.cdktf);
  });

  test('THEN a tenantctl run from its checkout knows no spec to install it with', () => {
    expect(projectTools(dirWith()).tenantctl).toBeUndefined();
  });
});

describe('installedSpec', () => {
  test('GIVEN a tenantctl in the npx cache THEN it is the spec npx installed it with', () => {
    const cache = dirWith({ 'package.json': JSON.stringify({ dependencies: { tenantctl: TOOLS.tenantctl } }) });
    expect(installedSpec(path.join(cache, 'node_modules/tenantctl'), dirWith())).toBe(TOOLS.tenantctl);
  });

  test('GIVEN a tenantctl installed from a tarball by another project THEN the tarball path is made relative to the new project', () => {
    const other = dirWith({ 'package.json': JSON.stringify({ devDependencies: { tenantctl: 'file:vendor/tenantctl-0.1.0.tgz' } }) });
    const project = dirWith();
    expect(installedSpec(path.join(other, 'node_modules/tenantctl'), project)).toBe(`file:../${path.basename(other)}/vendor/tenantctl-0.1.0.tgz`);
    expect(installedSpec(path.join(other, 'node_modules/tenantctl'), other)).toBe('file:./vendor/tenantctl-0.1.0.tgz');
  });

  test('GIVEN a checkout or a global install (no package.json beside node_modules) THEN there is none', () => {
    expect(installedSpec(repoRoot, dirWith())).toBeUndefined();
    expect(installedSpec(path.join(dirWith(), 'node_modules/tenantctl'), dirWith())).toBeUndefined();
  });
});

describe('planProjectPackage', () => {
  test('GIVEN no package.json THEN a private one is created with both tools in devDependencies, then npm install', () => {
    const dir = dirWith();
    const plan = planProjectPackage(dir, TOOLS);
    expect(plan.created).toBe(true);
    expect(JSON.parse(plan.text!)).toEqual({ private: true, devDependencies: { 'cdktf-cli': '0.21.0', tenantctl: TOOLS.tenantctl } });
    expect(plan.next).toEqual(['npm install (installs them and writes package-lock.json; commit both files)']);
    expect(plan.notes).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'package.json'))).toBe(false);
  });

  test(
    'GIVEN the package.json npm install --save-dev wrote THEN its tenantctl spec and every other entry are kept, cdktf-cli added, order ' +
      'and indent as npm keeps them',
    () => {
      const existing = {
        name: 'my-platform',
        version: '1.0.0',
        scripts: { test: 'jest' },
        dependencies: { zod: '^3.25.0' },
        devDependencies: { typescript: '5.9.3', tenantctl: 'file:../tenantctl-0.1.0.tgz' },
      };
      const plan = planProjectPackage(dirWith({ 'package.json': JSON.stringify(existing, null, 4) }), TOOLS);
      expect(plan.created).toBe(false);
      expect(plan.added).toEqual({ 'cdktf-cli': '0.21.0' });
      expect(plan.text).toBe(
        JSON.stringify(
          { ...existing, devDependencies: { 'cdktf-cli': '0.21.0', tenantctl: 'file:../tenantctl-0.1.0.tgz', typescript: '5.9.3' } },
          null,
          4,
        ) + '\n',
      );
    },
  );

  test('GIVEN cdktf-cli at another version THEN it is kept (never downgraded) and the difference noted', () => {
    const plan = planProjectPackage(
      dirWith({ 'package.json': JSON.stringify({ devDependencies: { tenantctl: TOOLS.tenantctl, 'cdktf-cli': '0.22.0' } }) }),
      TOOLS,
    );
    expect(plan.text).toBeUndefined();
    expect(plan.next).toEqual([]);
    expect(plan.notes).toEqual([expect.stringContaining('keeps cdktf-cli 0.22.0; this tenantctl is built with cdktf-cli 0.21.0')]);
  });

  test('GIVEN both tools listed, tenantctl as a dependency THEN nothing changes', () => {
    const plan = planProjectPackage(
      dirWith({ 'package.json': JSON.stringify({ dependencies: { tenantctl: '0.1.0' }, devDependencies: { 'cdktf-cli': '0.21.0' } }) }),
      TOOLS,
    );
    expect(plan).toEqual({ file: expect.any(String), created: false, added: {}, next: [], notes: [] });
  });

  test('GIVEN tenantctl of unknown origin THEN only cdktf-cli is added and the next step installs tenantctl', () => {
    const plan = planProjectPackage(dirWith(), { cdktfCli: '0.21.0' });
    expect(JSON.parse(plan.text!).devDependencies).toEqual({ 'cdktf-cli': '0.21.0' });
    expect(plan.next).toEqual([
      expect.stringMatching(/^npm install --save-dev <tenantctl git URL at a tag, or tarball> \(package\.json does not list tenantctl/),
    ]);
  });

  test.each([
    ['invalid JSON', '{"devDependencies": {', /package\.json is not valid JSON/],
    ['an array', '[]', /package\.json does not hold a JSON object/],
  ])('GIVEN a package.json with %s THEN it is refused with a clear error', (_, text, message) => {
    const dir = dirWith({ 'package.json': text });
    expect(() => planProjectPackage(dir, TOOLS)).toThrow(TenantctlError);
    expect(() => planProjectPackage(dir, TOOLS)).toThrow(message);
  });

  test("GIVEN tenantctl's own repository THEN its package.json is left alone", () => {
    expect(planProjectPackage(repoRoot, TOOLS)).toEqual({
      file: path.join(repoRoot, 'package.json'),
      created: false,
      added: {},
      next: [],
      notes: [],
    });
  });
});
