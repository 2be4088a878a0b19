/** What the engines found, printed as it comes, and the closing summary. */

export type Engine = 'fixtures' | 'checkov' | 'terraform' | 'helm' | 'admission' | 'promql' | 'workflows' | 'report' | 'selftest';

interface Check {
  readonly engine: Engine;
  readonly ok: boolean;
}

export class Report {
  private readonly checks: Check[] = [];
  private readonly seconds = new Map<Engine, number>();

  /** One counted check: `PASS|FAIL <engine> <subject>: <summary>`, then its details indented. */
  record(engine: Engine, subject: string, ok: boolean, summary: string, details: readonly string[] = []): void {
    this.checks.push({ engine, ok });
    console.log(`${ok ? 'PASS' : 'FAIL'} ${engine} ${subject}: ${summary}`);
    for (const line of details) console.log(`     ${line}`);
  }

  /** Information that is not a check (what was stripped, what cannot be validated and why). */
  note(engine: Engine, text: string, details: readonly string[] = []): void {
    console.log(`note ${engine}: ${text}`);
    for (const line of details) console.log(`     ${line}`);
  }

  section(title: string): void {
    console.log(`\n== ${title}`);
  }

  /** Runs `fn`, adding its wall-clock time to the engine's; a throw is recorded as a failed check. */
  async timed<T>(engine: Engine, fn: () => Promise<T>): Promise<T | undefined> {
    const start = process.hrtime.bigint();
    try {
      return await fn();
    } catch (err) {
      this.record(engine, 'run', false, (err as Error).message, (err as Error).stack?.split('\n').slice(1, 6) ?? []);
      return undefined;
    } finally {
      const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
      this.seconds.set(engine, (this.seconds.get(engine) ?? 0) + elapsed);
    }
  }

  get failed(): number {
    return this.checks.filter((c) => !c.ok).length;
  }

  /** Prints the per-engine table and the closing `engines: N passed, M failed` line. */
  summary(): void {
    this.section('summary');
    const engines = [...new Set<Engine>([...this.seconds.keys(), ...this.checks.map((c) => c.engine)])];
    for (const engine of engines) {
      const mine = this.checks.filter((c) => c.engine === engine);
      const passed = mine.filter((c) => c.ok).length;
      console.log(
        `${engine.padEnd(10)} ${String(passed).padStart(4)} passed ${String(mine.length - passed).padStart(4)} failed ` +
          `${(this.seconds.get(engine) ?? 0).toFixed(1).padStart(7)} s`,
      );
    }
    console.log(`engines: ${this.checks.length - this.failed} passed, ${this.failed} failed`);
  }
}
