import { TenantctlError } from '../model/errors';
import { STACK_TAGS } from '../model/labels';
import type { Project } from '../model/project';
import { projectStacks } from '../model/workspaces';
import { blocks, type Json } from './json';
import type { StackDocument } from './types';

/**
 * `validate --from`: the output must be this project's synth, or its findings (and its passing)
 * say nothing about the project. Refused, with every reason at once: stacks the project has and
 * the output lacks (a partial synth), stacks the output has and the project does not (another
 * project, an outdated synth), and stacks whose providers name another platform or stack.
 */
export function checkSynthMatches(project: Project, display: string, stacks: readonly StackDocument[]): void {
  const expected = projectStacks(project).map((s) => s.name);
  const found = stacks.map((s) => s.name);
  const problems: string[] = [];
  const missing = expected.filter((n) => !found.includes(n));
  const extra = found.filter((n) => !expected.includes(n));
  if (missing.length) problems.push(`it lacks ${missing.length} stack${missing.length === 1 ? '' : 's'} of the project: ${missing.join(', ')}`);
  if (extra.length) problems.push(`it holds ${extra.length} stack${extra.length === 1 ? '' : 's'} the project does not have: ${extra.join(', ')}`);
  const { name, environment } = project.platform;
  for (const stack of stacks.filter((s) => expected.includes(s.name))) {
    for (const tags of providerTags(stack)) {
      if (tags[STACK_TAGS.platform] !== name || tags[STACK_TAGS.environment] !== environment || tags[STACK_TAGS.stack] !== stack.name) {
        problems.push(
          `stack ${stack.name} was synthesized for platform ${tags[STACK_TAGS.platform]}-${tags[STACK_TAGS.environment]} as stack ` +
            `${tags[STACK_TAGS.stack]}; this project is ${name}-${environment}`,
        );
        break;
      }
    }
  }
  if (problems.length) {
    throw new TenantctlError(
      `--from ${display} is not this project's synth:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      'Synthesize the project (`tenantctl synth`) and validate that output, or leave out --from to synthesize now.',
    );
  }
}

/** The default tags of each AWS provider configuration of a stack. */
function providerTags(stack: StackDocument): Record<string, string>[] {
  const aws = (stack.json as Json).provider as Json | undefined;
  return blocks(aws?.aws).flatMap((p) => blocks(p.default_tags).map((d) => (d.tags ?? {}) as Record<string, string>));
}
