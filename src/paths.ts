import * as fs from 'fs';
import * as path from 'path';

let root: string | undefined;

/**
 * The tenantctl package root (where package.json and templates/ live). Found by walking up from
 * this file, because the same code runs from `src/` under jest and from `dist/src/` when built.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'templates')) || !fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the tenantctl package root above ${__dirname}`);
    dir = parent;
  }
  root = dir;
  return root;
}

/** Absolute path of a file under templates/. */
export function templatePath(...parts: string[]): string {
  return path.join(packageRoot(), 'templates', ...parts);
}
