import { tuneCdktf } from '../../src/synth/cdktf-tuning';

/**
 * Every suite synthesizes as the CLI does (src/synth/cdktf-tuning.ts: no creation stack traces,
 * no preparing resolve pass), which writes what stock cdktf writes (test/synth/byte-identity.test.ts)
 * with less CPU. Suites about the stock behaviour switch it themselves.
 */
tuneCdktf();
