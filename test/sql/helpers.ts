import { Worker } from 'worker_threads';

/**
 * PostgreSQL 17 (PGlite) in a worker thread. PGlite loads its WebAssembly runtime with dynamic
 * `import()`, which jest's module sandbox refuses without --experimental-vm-modules; a worker runs
 * on Node's own loader. Same calls as PGlite: `exec` for scripts, `query` for rows.
 */
export class TestDatabase {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (rows: any[]) => void; reject: (err: Error) => void }>();

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pglite: require.resolve('@electric-sql/pglite') } });
    this.worker.on('message', ({ id, rows, error }: { id: number; rows?: any[]; error?: string }) => {
      const call = this.pending.get(id);
      this.pending.delete(id);
      if (error !== undefined) call?.reject(new Error(error));
      else call?.resolve(rows ?? []);
    });
    this.worker.on('error', (err) => {
      for (const call of this.pending.values()) call.reject(err);
      this.pending.clear();
    });
  }

  /** Runs a script of any number of statements (simple query protocol, like psql -f). */
  async exec(sql: string): Promise<void> {
    await this.call('exec', sql);
  }

  async query<T = any>(sql: string): Promise<{ rows: T[] }> {
    return { rows: await this.call('query', sql) };
  }

  async close(): Promise<void> {
    await this.call('close', '');
    await this.worker.terminate();
  }

  private call(op: 'exec' | 'query' | 'close', sql: string): Promise<any[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, sql });
    });
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const { PGlite } = require(workerData.pglite);
const db = new PGlite();
parentPort.on('message', async ({ id, op, sql }) => {
  try {
    if (op === 'close') { await db.close(); return parentPort.postMessage({ id }); }
    if (op === 'exec') { await db.exec(sql); return parentPort.postMessage({ id }); }
    const result = await db.query(sql);
    parentPort.postMessage({ id, rows: result.rows });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message ? err.message : err) });
  }
});
`;
