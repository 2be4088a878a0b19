import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { copyFixture } from '../setup/fixture-projects';
import { tempDir } from '../util';
import { cliPath, repoRoot, tenantctl } from './helpers';

/**
 * `npx cdktf synth` in a project made by `tenantctl init platform` runs tenantctl's own synth
 * (cdktf.json `app`) through the real cdktf CLI and writes the same stacks as `tenantctl synth`.
 */
describe('cdktf synth on a tenantctl project', () => {
  const dir = tempDir();
  const reference = path.join(tempDir(), 'reference');
  let cdktf: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    copyFixture('configOnly', dir);
    expect(tenantctl(['tenant', 'add', 'acme', '--tier', 'enterprise', '--no-synth', '--quiet', '--dir', dir]).status).toBe(0);
    expect(tenantctl(['synth', '--quiet', '--dir', dir, '--outdir', reference]).status).toBe(0);
    // What `npm install tenantctl` gives a project: a tenantctl executable in node_modules/.bin.
    const bin = path.join(dir, 'node_modules/.bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'tenantctl'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`, { mode: 0o755 });
    cdktf = spawnSync(path.join(repoRoot, 'node_modules/.bin/cdktf'), ['synth'], {
      cwd: dir,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true', PATH: `${bin}:${process.env.PATH}` },
      encoding: 'utf8',
      timeout: 300000,
    });
  });

  it('succeeds', () => {
    expect(cdktf.stderr).not.toMatch(/error/i);
    expect(cdktf.status).toBe(0);
  });

  it.each(['platform', 'tenant-acme'])('writes the same %s stack as tenantctl synth', (stack) => {
    const viaCdktf = fs.readFileSync(path.join(dir, 'cdktf.out/stacks', stack, 'cdk.tf.json'), 'utf8');
    expect(viaCdktf).toBe(fs.readFileSync(path.join(reference, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
  });

  it('writes a manifest cdktf can read with both stacks', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks)).toEqual(['platform', 'cluster', 'tenant-acme']);
  });
});
