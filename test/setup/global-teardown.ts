import * as fs from 'fs';
import { FIXTURES_ENV } from './fixture-projects';
import { SCRATCH_ENV } from './scratch';

export default function globalTeardown(): void {
  for (const root of [process.env[FIXTURES_ENV], process.env[SCRATCH_ENV]]) if (root) fs.rmSync(root, { recursive: true, force: true });
}
