// First: the tuning must be in place before cdktf's synthesizer loads (src/synth/stable-json-install.ts).
import { releaseTokensSince, tuneCdktf } from '../../src/synth/cdktf-tuning';
import { TokenMap } from 'cdktf/lib/tokens/private/token-map';

/**
 * Every suite synthesizes as the CLI does (src/synth/cdktf-tuning.ts: no creation stack traces,
 * no preparing resolve pass), which writes what stock cdktf writes (test/synth/byte-identity.test.ts)
 * with less CPU. Suites about the stock behaviour switch it themselves.
 */
tuneCdktf();

// cdktf keeps its token registry on the worker's global, which test/setup/shared-modules-runtime.js
// shares between files: each file starts with an empty one and the first token number, as in a
// process of its own, instead of keeping every earlier file's stacks alive.
releaseTokensSince({ strings: 0, numbers: 0 });
(TokenMap.instance() as unknown as { tokenCounter: number }).tokenCounter = 0;
