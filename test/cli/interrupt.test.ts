import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { copyFixture } from '../setup/fixture-projects';
import { tempDir } from '../util';
import { cliPath, snapshotTree, tenantctl } from './helpers';

const TENANTS = 130;

/** Starts `tenantctl synth` with progress forced on; resolves once it reports synthesizing (it holds the lock then). */
function startSynth(dir: string) {
  const child = spawn(process.execPath, [cliPath, 'synth', '--dir', dir], {
    env: { ...process.env, CI: 'true', CHECKPOINT_DISABLE: '1', TENANTCTL_PROGRESS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const started = new Promise<void>((resolve) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('synthesizing ')) resolve();
    });
  });
  let stoppedAt = 0;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; seconds: number }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, seconds: (Date.now() - stoppedAt) / 1000 }));
  });
  const stop = (signal: NodeJS.Signals) => {
    stoppedAt = Date.now();
    child.kill(signal);
  };
  return { started, exited, stop };
}

const leftovers = (dir: string) => [
  ...fs.readdirSync(dir).filter((f) => f.startsWith('.tenantctl.lock')),
  ...fs.readdirSync(path.join(dir, 'cdktf.out')).filter((f) => f.startsWith('.')),
];

describe(`GIVEN a project with ${TENANTS} tenants and the output of an earlier synth`, () => {
  const dir = tempDir('tenantctl-interrupt-');
  let before: Record<string, string>;
  beforeAll(() => {
    copyFixture('configOnly', dir);
    for (let i = 0; i < TENANTS; i++)
      fs.writeFileSync(path.join(dir, 'tenants', `t${i}.json`), JSON.stringify({ version: 1, id: `t${i}`, tier: 'starter' }));
    const synth = tenantctl(['synth', '--dir', dir, '--stack', 'platform', 'tenant-t1']);
    if (synth.status !== 0) throw new Error(synth.stderr);
    fs.writeFileSync(path.join(dir, 'tenants', 't1.json'), JSON.stringify({ version: 1, id: 't1', tier: 'standard' }));
    before = snapshotTree(path.join(dir, 'cdktf.out'));
  });

  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'WHEN a full synth gets %s while its threads run THEN it stops at once with exit code %i, leaving no staging, no lock and cdktf.out as it was',
    async (signal, exitCode) => {
      const run = startSynth(dir);
      await run.started;
      run.stop(signal);
      const res = await run.exited;
      expect(res.code).toBe(exitCode);
      expect(res.seconds).toBeLessThan(2);
      expect(res.stderr.split('\r\x1b[K').pop()).toBe(
        `error: interrupted by ${signal}: the run stopped before finishing\n` +
          `Configuration and cdktf.out are as they were before it; run the command again.\n`,
      );
      expect(res.stdout).toBe('');
      expect(leftovers(dir)).toEqual([]);
      expect(snapshotTree(path.join(dir, 'cdktf.out'))).toEqual(before);
    },
  );

  test(
    'WHEN a synth is killed outright (SIGKILL) THEN the next command takes its lock over at once, with a message, and removes its ' +
      'staging output',
    async () => {
      const run = startSynth(dir);
      await run.started;
      run.stop('SIGKILL');
      expect((await run.exited).signal).toBe('SIGKILL');
      expect(leftovers(dir)).toEqual(expect.arrayContaining(['.tenantctl.lock', expect.stringMatching(/^\.staging-\d+-/)]));

      const started = Date.now();
      const res = tenantctl(['tenant', 'add', 'late', '--tier', 'starter', '--dir', dir]);
      expect(res.status).toBe(0);
      expect(res.stderr).toMatch(/^taking over the lock of tenantctl run \d+, which is no longer running \(.*\.tenantctl\.lock\)\n$/);
      expect(Date.now() - started).toBeLessThan(6000);
      expect(leftovers(dir)).toEqual([]);
      expect(Object.keys(snapshotTree(path.join(dir, 'cdktf.out', 'stacks')))).toEqual([
        'platform/cdk.tf.json',
        'tenant-late/cdk.tf.json',
        'tenant-t1/cdk.tf.json',
      ]);
    },
  );
});
