import * as fs from 'fs';
import * as path from 'path';
import { createProgress, progressEnabled } from '../../src/cli/progress';
import { synthSummary } from '../../src/app/synthesis';
import { copyFixture } from '../setup/fixture-projects';
import { tempDir } from '../util';
import { tenantctl } from './helpers';

/** A stream that records what is written, as a terminal or not. */
function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (t: string) => writes.push(t) };
}

describe('progress reporter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test(
    'GIVEN a terminal WHEN work outlasts the delay THEN it draws done/total and elapsed in place, at most every 100 ms, and clears the ' +
      'line at the end',
    () => {
      let now = 0;
      const out = stream(true);
      const progress = createProgress({ stream: out, now: () => now, delayMs: 1000, env: {} });
      progress.update('synthesizing', 0, 212);
      expect(out.writes).toEqual([]);
      now = 1200;
      jest.advanceTimersByTime(100);
      expect(out.writes).toEqual(['\r\x1b[Ksynthesizing 0/212 stacks, 1.2 s']);
      progress.update('synthesizing', 120, 212);
      progress.update('synthesizing', 121, 212);
      expect(out.writes).toHaveLength(1);
      now = 5200;
      jest.advanceTimersByTime(100);
      expect(out.writes[1]).toBe('\r\x1b[Ksynthesizing 121/212 stacks, 5.2 s');
      progress.end();
      expect(out.writes[2]).toBe('\r\x1b[K');
      jest.advanceTimersByTime(1000);
      expect(out.writes).toHaveLength(3);
      expect(progress.elapsedSeconds()).toBe(5.2);
    },
  );

  test('GIVEN work shorter than the delay THEN nothing is drawn, and nothing is cleared', () => {
    let now = 0;
    const out = stream(true);
    const progress = createProgress({ stream: out, now: () => now, env: {} });
    progress.update('synthesizing', 1, 1);
    now = 400;
    jest.advanceTimersByTime(400);
    progress.end();
    expect(out.writes).toEqual([]);
  });

  test('GIVEN no terminal THEN nothing is drawn, unless TENANTCTL_PROGRESS=1 forces it (=0 turns it off on a terminal)', () => {
    expect(progressEnabled({ isTTY: false, write: () => true }, {})).toBe(false);
    expect(progressEnabled({ isTTY: undefined, write: () => true }, {})).toBe(false);
    expect(progressEnabled({ isTTY: true, write: () => true }, {})).toBe(true);
    expect(progressEnabled({ isTTY: false, write: () => true }, { TENANTCTL_PROGRESS: '1' })).toBe(true);
    expect(progressEnabled({ isTTY: true, write: () => true }, { TENANTCTL_PROGRESS: '0' })).toBe(false);
    const out = stream(false);
    const progress = createProgress({ stream: out, delayMs: 0, env: {} });
    progress.update('synthesizing', 1, 2);
    jest.advanceTimersByTime(500);
    progress.end();
    expect(out.writes).toEqual([]);
  });
});

describe('synth summary', () => {
  const result = (written: string[], threads = 1) => ({ outdir: path.join(process.cwd(), 'cdktf.out'), written, removed: [], threads });

  test('names a few stacks, counts many (all named with verbose), and gives the output directory below the working directory relative', () => {
    expect(synthSummary(result(['platform', 'cluster']), 1.23)).toBe(`synthesized platform, cluster into cdktf.out${path.sep} in 1.2 s`);
    const many = Array.from({ length: 212 }, (_, i) => `tenant-t${i}`);
    expect(synthSummary(result(many, 2), 9.81)).toBe(`synthesized 212 stacks into cdktf.out${path.sep} in 9.8 s (on 2 threads)`);
    expect(synthSummary(result(many, 2), 9.81, true)).toBe(`synthesized ${many.join(', ')} into cdktf.out${path.sep} in 9.8 s (on 2 threads)`);
    expect(synthSummary({ ...result([]), outdir: '/elsewhere/out' }, 0.2)).toBe('synthesized nothing into /elsewhere/out in 0.2 s');
  });
});

describe('GIVEN progress forced on (TENANTCTL_PROGRESS=1) and a synth that outlasts its delay', () => {
  const dir = tempDir('tenantctl-progress-');
  beforeAll(() => {
    copyFixture('configOnly', dir);
    for (let i = 0; i < 12; i++)
      fs.writeFileSync(path.join(dir, 'tenants', `t${i}.json`), JSON.stringify({ version: 1, id: `t${i}`, tier: 'starter' }));
  });

  test('WHEN synth runs with --output json THEN progress goes to stderr only and stdout is exactly the JSON', () => {
    const res = tenantctl(['synth', '--dir', dir, '--output', 'json'], { env: { TENANTCTL_PROGRESS: '1' } });
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ outdir: path.join(dir, 'cdktf.out'), removed: [], threads: 1 });
    expect(out.written).toEqual([
      'platform',
      'cluster',
      ...Array.from({ length: 12 }, (_, i) => `t${i}`)
        .sort()
        .map((id) => `tenant-${id}`),
    ]);
    // Drawn only once the synth outlasts its one-second delay; never on stdout.
    // eslint-disable-next-line no-control-regex -- the redraw is a carriage return and the ANSI erase-line sequence.
    expect(res.stderr).toMatch(/^((\r\x1b\[Ksynthesizing \d+\/14 stacks, \d+\.\d s)+\r\x1b\[K)?$/);
  });

  test('WHEN validate runs with --output json THEN stdout parses as the report', () => {
    const res = tenantctl(['validate', '--dir', dir, '--output', 'json'], { env: { TENANTCTL_PROGRESS: '1' } });
    expect(JSON.parse(res.stdout).stacks).toHaveLength(14);
    // Drawn only once the synth outlasts its one-second delay; never on stdout.
    // eslint-disable-next-line no-control-regex -- the redraw is a carriage return and the ANSI erase-line sequence.
    expect(res.stderr).toMatch(/^((\r\x1b\[Ksynthesizing \d+\/14 stacks, \d+\.\d s)+\r\x1b\[K)?$/);
  });
});
