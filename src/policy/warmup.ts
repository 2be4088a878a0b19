import * as fs from 'fs';
import type { Project } from '../model/project';
import { configOf, validate } from './engine';
import { allRules } from './rules';
import type { RuleContext, StackDocument } from './types';

/** Stacks the warm-up runs the rules over: the platform's first ones and a few tenants, every kind of object they hold. */
const SAMPLE_STACKS = 8;

/** Feeds a warm-up the stacks a synthesis writes; stop() ends it (the synthesis is over or failed). */
export interface ValidationWarmup {
  readonly onStack: (name: string, file: string) => void;
  stop(): void;
}

/**
 * For `validate` synthesizing from scratch: runs every rule once over the first stacks written,
 * while the worker threads build the rest, and throws the findings away. The first run of the
 * rules pays for what the real run would pay once (schema compilation of each Kubernetes and
 * Istio kind, the model modules, optimizing the rules' code): about 1 s at 500 tenants, done here
 * on a thread that would otherwise wait, so the real run after the synthesis takes half as long.
 * One rule per turn of the event loop, so progress and Ctrl-C are still served in between.
 */
export function startValidationWarmup(project: Project): ValidationWarmup {
  let sample: StackDocument[] | undefined = [];
  let context: RuleContext | undefined;
  let pending: NodeJS.Immediate | undefined;
  // Once it has run (or stopped), the sample is let go: the real run needs the memory.
  const end = () => {
    if (pending) clearImmediate(pending);
    pending = context = sample = undefined;
  };
  const runFrom = (i: number) => {
    pending = undefined;
    if (!context || i >= allRules.length) return end();
    try {
      validate(context, [allRules[i]]);
    } catch {
      // A rule that cannot run on a few stacks ends the warm-up; the real run over all of them reports what it finds.
      return end();
    }
    pending = setImmediate(runFrom, i + 1);
  };
  return {
    onStack: (name, file) => {
      if (!sample || sample.length >= SAMPLE_STACKS) return;
      try {
        sample.push({ name, json: JSON.parse(fs.readFileSync(file, 'utf8')) });
      } catch {
        // Only a head start: a stack it cannot read ends it, and never fails the synthesis feeding it.
        return end();
      }
      if (sample.length < SAMPLE_STACKS) return;
      context = { stacks: sample, project, config: configOf(project) };
      pending = setImmediate(runFrom, 0);
    },
    stop: end,
  };
}
