import * as fs from 'fs';
import * as path from 'path';

export interface TerraformStub {
  /** PATH with the stub first: every `terraform` a command runs is the stub. */
  readonly path: string;
  /** The command lines the stub was called with (empty when it never was). */
  calls(): string[];
}

/**
 * A `terraform` on PATH that records each call and fails loudly, shadowing any real binary: a
 * test that runs commands with it proves they never need terraform (the stub would fail them)
 * and never run it (the record stays empty).
 */
export function terraformStub(dir: string): TerraformStub {
  const bin = path.join(dir, 'terraform-stub-bin');
  const record = path.join(dir, 'terraform-calls.log');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(
    path.join(bin, 'terraform'),
    `#!/bin/sh\necho "terraform $*" >> '${record}'\necho 'terraform stub: tenantctl must never run terraform' >&2\nexit 97\n`,
    { mode: 0o755 },
  );
  return {
    path: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    calls: () => (fs.existsSync(record) ? fs.readFileSync(record, 'utf8').split('\n').filter(Boolean) : []),
  };
}
