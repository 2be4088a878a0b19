import * as fs from 'fs';
import * as path from 'path';
import * as engine from '../../src/policy/engine';
import { allRules } from '../../src/policy/rules';
import { startValidationWarmup } from '../../src/policy/warmup';
import { loadProject } from '../../src/project/project';
import { synthesize } from '../../src/synth/synthesize';
import { stackFile } from '../../src/synth/stamp';
import { FIXTURES, writeFixture } from '../synth/fixture-projects';
import { tempDir } from '../util';

/**
 * `validate` synthesizing from scratch warms the rules up on the first stacks written while the
 * rest are built (src/policy/warmup.ts): every rule runs once over a sample, its findings are
 * thrown away, and the real run is not changed by it.
 */
const dir = writeFixture(tempDir(), FIXTURES['terraform-cloud'], 12);
const project = loadProject(dir);
const outdir = synthesize(project).outdir;
const names = engine.loadStacks(outdir).map((s) => s.name);
const SAMPLE = 8;
const copies = tempDir();

/** Runs the turns of the event loop the warm-up takes, one rule each. */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

afterEach(() => jest.restoreAllMocks());

describe('GIVEN a warm-up fed the stacks of a synthesis as they are written', () => {
  test('THEN it runs nothing before the sample is complete, then every rule once over the sample, one per turn', async () => {
    const validate = jest.spyOn(engine, 'validate');
    const warmup = startValidationWarmup(project);
    for (const name of names.slice(0, SAMPLE - 1)) warmup.onStack(name, stackFile(outdir, name));
    await turns(3);
    expect(validate).not.toHaveBeenCalled();

    for (const name of names.slice(SAMPLE - 1)) warmup.onStack(name, stackFile(outdir, name));
    await turns(1);
    expect(validate).toHaveBeenCalledTimes(1);
    await turns(allRules.length + 2);
    expect(validate).toHaveBeenCalledTimes(allRules.length);
    expect(validate.mock.calls.map(([, rules]) => rules![0].id)).toEqual(allRules.map((r) => r.id));
    for (const [ctx, rules] of validate.mock.calls) {
      expect(ctx.stacks.map((s) => s.name)).toEqual(names.slice(0, SAMPLE));
      expect(ctx.project).toBe(project);
      expect(rules).toHaveLength(1);
    }
  });

  test('THEN the stacks are read when they are handed over (staging is gone once the synthesis ends)', async () => {
    const validate = jest.spyOn(engine, 'validate');
    const warmup = startValidationWarmup(project);
    for (const name of names.slice(0, SAMPLE)) {
      const file = path.join(copies, `${name}.json`);
      fs.copyFileSync(stackFile(outdir, name), file);
      warmup.onStack(name, file);
      fs.rmSync(file);
    }
    await turns(allRules.length + 2);
    expect(validate).toHaveBeenCalledTimes(allRules.length);
    expect(validate.mock.calls[0][0].stacks[0].json).toEqual(JSON.parse(fs.readFileSync(stackFile(outdir, names[0]), 'utf8')));
  });

  test('WHEN it is stopped (the synthesis ended first) THEN no further rule runs', async () => {
    const validate = jest.spyOn(engine, 'validate');
    const warmup = startValidationWarmup(project);
    for (const name of names.slice(0, SAMPLE)) warmup.onStack(name, stackFile(outdir, name));
    await turns(3);
    warmup.stop();
    const ran = validate.mock.calls.length;
    expect(ran).toBeGreaterThan(0);
    expect(ran).toBeLessThan(allRules.length);
    await turns(allRules.length);
    expect(validate).toHaveBeenCalledTimes(ran);
  });

  test('WHEN a rule throws on the sample THEN the warm-up ends there, quietly, and the next rules do not run', async () => {
    const broken = allRules[2];
    jest.spyOn(broken, 'check').mockImplementation(() => {
      throw new TypeError('a rule that needs every stack');
    });
    const validate = jest.spyOn(engine, 'validate');
    const warmup = startValidationWarmup(project);
    for (const name of names.slice(0, SAMPLE)) warmup.onStack(name, stackFile(outdir, name));
    await turns(allRules.length + 2);
    expect(validate).toHaveBeenCalledTimes(3);
  });

  test('WHEN a stack handed over cannot be read THEN the warm-up ends there, quietly: the stacks after it start no rule', async () => {
    const validate = jest.spyOn(engine, 'validate');
    const warmup = startValidationWarmup(project);
    expect(() => warmup.onStack(names[0], path.join(copies, 'gone.json'))).not.toThrow();
    for (const name of names.slice(1, SAMPLE + 1)) warmup.onStack(name, stackFile(outdir, name));
    await turns(allRules.length + 2);
    expect(validate).not.toHaveBeenCalled();
  });

  test('THEN the report over every stack afterwards is the one a process without a warm-up gives (fresh modules: nothing cached before either)', async () => {
    const stacks = engine.loadStacks(outdir);
    /** The engine and the warm-up as a fresh process has them: no schema compiled, no rule run. */
    const fresh = () => {
      let modules!: { engine: typeof engine; warmup: typeof import('../../src/policy/warmup') };
      jest.isolateModules(() => {
        modules = { engine: require('../../src/policy/engine'), warmup: require('../../src/policy/warmup') };
      });
      return modules;
    };
    const report = (m: ReturnType<typeof fresh>) => m.engine.validate({ stacks, project, config: m.engine.configOf(project) });
    const warmed = fresh();
    const warmup = warmed.warmup.startValidationWarmup(project);
    for (const name of names.slice(0, SAMPLE)) warmup.onStack(name, stackFile(outdir, name));
    await turns(allRules.length + 2);
    const cold = report(fresh());
    expect(report(warmed)).toEqual(cold);
    expect(cold.stacks).toHaveLength(names.length);
  });
});
