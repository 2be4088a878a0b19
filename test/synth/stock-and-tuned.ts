/**
 * Synthesizes projects twice, with cdktf's stock behaviour and tuned (src/synth/cdktf-tuning.ts),
 * in a plain Node process from the compiled dist/ the CLI runs: the byte-identity test's engine.
 * Outside jest, stock cdktf's creation stack traces cost what they cost a user; inside its sandbox
 * they cost three times as much. Usage: node stock-and-tuned.js '<json of SynthPair[]>'
 */
// First, as in the CLI: the tuning must be loaded before cdktf's synthesizer (stable-json-install.ts).
import { STACK_TRACES_ENV } from '../../src/synth/cdktf-tuning';
import { loadProject } from '../../src/project/project';
import { synthesizeApp } from '../../src/synth/app';

export interface SynthPair {
  readonly project: string;
  readonly stockOut: string;
  readonly tunedOut: string;
}

export function synthStockAndTuned(pairs: readonly SynthPair[]): void {
  for (const { project, stockOut, tunedOut } of pairs) {
    process.env[STACK_TRACES_ENV] = '1';
    try {
      synthesizeApp(loadProject(project), { outdir: stockOut });
    } finally {
      delete process.env[STACK_TRACES_ENV];
    }
    synthesizeApp(loadProject(project), { outdir: tunedOut });
  }
}

if (require.main === module) synthStockAndTuned(JSON.parse(process.argv[2]) as SynthPair[]);
