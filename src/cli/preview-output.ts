import type { StackPreview } from '../synth/preview';
import { printJson } from './output';

/** Stacks listed address by address; beyond this many, one line per stack (the JSON has every address). */
const DETAILED_STACKS = 5;
/** Stacks listed at all in human output; the rest are counted. */
const LISTED_STACKS = 20;

const counts = (s: StackPreview) => `${s.added.length} to add, ${s.changed.length} to change, ${s.removed.length} to destroy`;

/**
 * Prints what a dry run found: per stack, the resources that would be added (+), changed (~) and
 * destroyed (-), and the warnings; or all of it as one JSON document.
 */
export function printPreview(stacks: readonly StackPreview[], warnings: readonly string[], format: string): void {
  if (format === 'json') {
    printJson({ dryRun: true, stacks, warnings });
    return;
  }
  const lines: string[] = [];
  if (!stacks.length) lines.push('no stack changes');
  const width = Math.max(0, ...stacks.map((s) => s.name.length));
  for (const s of stacks.slice(0, LISTED_STACKS)) {
    lines.push(`${s.name.padEnd(width)}  ${s.change}: ${counts(s)}`);
    if (stacks.length > DETAILED_STACKS) continue;
    for (const [mark, list] of [
      ['+', s.added],
      ['~', s.changed],
      ['-', s.removed],
    ] as const)
      lines.push(...list.map((a) => `    ${mark} ${a}`));
  }
  if (stacks.length > LISTED_STACKS) lines.push(`... and ${stacks.length - LISTED_STACKS} more stacks (--output json lists every one)`);
  process.stdout.write(lines.join('\n') + '\n');
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  process.stderr.write('dry run: nothing was written\n');
}
