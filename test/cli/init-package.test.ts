import * as fs from 'fs';
import * as path from 'path';
import { cli, scratchDirs, snapshotTree, type CliResult } from './helpers';

const ACCOUNT = ['--account-id', '111122223333'];
const newDir = scratchDirs();
const cdktfCli = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).devDependencies['cdktf-cli'];

describe('GIVEN an empty directory WHEN init platform runs', () => {
  const dir = newDir();
  let result: CliResult;
  beforeAll(async () => {
    result = await cli(['init', 'platform', '--yes', ...ACCOUNT, '--no-synth', '--dir', dir]);
  });

  test('THEN it writes a package.json pinning the cdktf-cli tenantctl is built with, and says to install tenantctl and run npm install', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))).toEqual({
      private: true,
      devDependencies: { 'cdktf-cli': cdktfCli },
    });
    expect(result.stdout.split('\n')).toEqual([
      `wrote ${path.join(dir, 'platform.json')}`,
      `wrote ${path.join(dir, 'package.json')}: devDependencies cdktf-cli ${cdktfCli}`,
      'next: npm install --save-dev <tenantctl git URL at a tag, or tarball> (package.json does not list tenantctl, and CI installs it from ' +
        'there: README "Using tenantctl for your platform"); commit package.json and package-lock.json',
      '',
    ]);
  });

  test('THEN its .gitignore keeps node_modules/ out of the repository', () => {
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8').split('\n')).toContain('node_modules/');
  });
});

describe('GIVEN a package.json that tenantctl is installed in WHEN init platform runs', () => {
  const dir = newDir();
  const existing = { name: 'my-platform', devDependencies: { tenantctl: 'file:../tenantctl-0.1.0.tgz', 'cdktf-cli': '0.20.0' } };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(existing, null, 2) + '\n');
  let result: CliResult;
  beforeAll(async () => {
    result = await cli(['init', 'platform', '--yes', ...ACCOUNT, '--no-synth', '--dir', dir]);
  });

  test('THEN the package.json is kept as it is and the other cdktf-cli version is pointed out', () => {
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe(JSON.stringify(existing, null, 2) + '\n');
    expect(result.stderr).toBe(
      `note: ${path.join(dir, 'package.json')} keeps cdktf-cli 0.20.0; this tenantctl is built with cdktf-cli ${cdktfCli}, which \`npx cdktf\` should match\n`,
    );
    expect(result.stdout).not.toContain('next: npm install');
  });
});

describe('GIVEN a package.json that is not valid JSON WHEN init platform runs', () => {
  const dir = newDir();
  fs.writeFileSync(path.join(dir, 'package.json'), '{"devDependencies": {');
  const before = snapshotTree(dir);
  let result: CliResult;
  beforeAll(async () => {
    result = await cli(['init', 'platform', '--yes', ...ACCOUNT, '--dir', dir]);
  });

  test('THEN it fails with one clear message and writes nothing', () => {
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: ${path.join(dir, 'package.json')} is not valid JSON: .*\nFix it \\(tenantctl adds its devDependencies to it\\) and run the command again; nothing was written.\n$`,
      ),
    );
    expect(snapshotTree(dir)).toEqual(before);
  });
});
