import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cli, cliPath, repoRoot, scratchDirs, tenantctl } from './helpers';

describe('tenantctl --help', () => {
  it('lists every command with examples and exits 0', () => {
    const res = tenantctl(['--help']);
    expect(res.status).toBe(0);
    for (const cmd of ['init', 'synth', 'tenant', 'validate', 'changed', 'ci']) expect(res.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    expect(res.stdout).toContain('Examples:');
    expect(res.stdout).toContain('Exit codes: 0 ok, 1 configuration or input error');
  });

  it.each([
    ['init', 'platform'],
    ['synth'],
    ['tenant', 'add'],
    ['tenant', 'list'],
    ['tenant', 'show'],
    ['tenant', 'update'],
    ['tenant', 'remove'],
    ['validate'],
    ['changed'],
    ['ci', 'init'],
  ])('%s %s --help shows examples', async (...cmd) => {
    const res = await cli([...cmd.filter(Boolean), '--help']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('Examples:');
  });

  const newDir = scratchDirs();
  it('loads no cdktf provider package (start-up stays fast)', () => {
    const out = path.join(newDir(), 'modules.json');
    const probe = path.join(repoRoot, 'test/fixtures/loaded-modules-probe.js');
    const res = spawnSync(process.execPath, ['--require', probe, cliPath, '--help'], {
      env: { ...process.env, TENANTCTL_PROBE_OUT: out },
      encoding: 'utf8',
    });
    expect(res.status).toBe(0);
    const modules = JSON.parse(fs.readFileSync(out, 'utf8')) as string[];
    expect(modules.filter((m) => m.includes('@cdktf/provider-'))).toEqual([]);
    expect(modules.filter((m) => /node_modules\/cdktf\//.test(m))).toEqual([]);
  });
});

test('GIVEN a reader that closes the pipe early THEN tenantctl ends quietly, without a stack trace', () => {
  // The reader closes its end before the help is written, as `| head -1` does once it has its line.
  const res = spawnSync('sh', ['-c', `"${process.execPath}" "${cliPath}" --help | (exec 0<&-; sleep 1)`], { encoding: 'utf8' });
  expect(res.status).toBe(0);
  expect(res.stderr).toBe('');
});
