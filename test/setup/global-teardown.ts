import * as fs from 'fs';
import { FIXTURES_ENV } from './fixture-projects';

export default function globalTeardown(): void {
  const root = process.env[FIXTURES_ENV];
  if (root) fs.rmSync(root, { recursive: true, force: true });
}
