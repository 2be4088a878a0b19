import * as path from 'path';
import type { Command } from 'commander';

/** `--dir`: the tenantctl project (where platform.json lives); defaults to the working directory. */
export function addDirOption(cmd: Command): Command {
  return cmd.option('-d, --dir <dir>', 'project directory (holds platform.json and tenants/)', '.');
}

export function projectDir(opts: { dir?: string }): string {
  return path.resolve(opts.dir ?? '.');
}

/** Splits a comma-separated flag value. */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
