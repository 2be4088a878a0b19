import { Worker } from 'worker_threads';

/**
 * PostgreSQL 17 (PGlite) for one test file, in one worker thread. PGlite loads its WebAssembly
 * runtime with dynamic `import()`, which jest's module sandbox refuses without
 * --experimental-vm-modules; a worker runs on Node's own loader. Booting PostgreSQL costs seconds
 * (WebAssembly compile, initdb), so the worker boots one pristine instance and each `open()` is a
 * clone of it: the same empty cluster, in a fraction of the time. Call at file or describe level;
 * the worker stops after the file.
 */
export function testDatabases(): { open(): TestDatabase } {
  let worker: DatabaseWorker | undefined;
  afterAll(() => worker?.terminate());
  return { open: () => new TestDatabase((worker ??= new DatabaseWorker())) };
}

/** One database of a `testDatabases()` worker. Same calls as PGlite: `exec` for scripts, `query` for rows. */
export class TestDatabase {
  private readonly id: number;

  constructor(private readonly worker: DatabaseWorker) {
    this.id = worker.open();
  }

  /** Runs a script of any number of statements (simple query protocol, like psql -f). */
  async exec(sql: string): Promise<void> {
    await this.worker.call(this.id, 'exec', sql);
  }

  async query<T = any>(sql: string): Promise<{ rows: T[] }> {
    return { rows: await this.worker.call(this.id, 'query', sql) };
  }

  async close(): Promise<void> {
    await this.worker.call(this.id, 'close', '');
  }
}

type Op = 'open' | 'exec' | 'query' | 'close';

class DatabaseWorker {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pglite: require.resolve('@electric-sql/pglite') } });
  private nextCall = 0;
  private nextDatabase = 0;
  private readonly pending = new Map<number, { resolve: (rows: any[]) => void; reject: (err: Error) => void }>();

  constructor() {
    this.worker.on('message', ({ call, rows, error }: { call: number; rows?: any[]; error?: string }) => {
      const pending = this.pending.get(call);
      this.pending.delete(call);
      if (error !== undefined) pending?.reject(new Error(error));
      else pending?.resolve(rows ?? []);
    });
    this.worker.on('error', (err) => {
      for (const pending of this.pending.values()) pending.reject(err);
      this.pending.clear();
    });
  }

  /** Starts cloning a new database and returns its id; the worker runs its calls after the clone. */
  open(): number {
    const db = this.nextDatabase++;
    // A failed clone fails the database's first call too; this rejection is reported there.
    this.call(db, 'open', '').catch(() => undefined);
    return db;
  }

  call(db: number, op: Op, sql: string): Promise<any[]> {
    const call = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      this.worker.postMessage({ call, db, op, sql });
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const { PGlite } = require(workerData.pglite);
let pristine;
const databases = new Map();
parentPort.on('message', async ({ call, db, op, sql }) => {
  try {
    if (op === 'open') {
      pristine ??= new PGlite();
      databases.set(db, pristine.waitReady.then(() => pristine.clone()));
    }
    const pg = await databases.get(db);
    if (op === 'open') return parentPort.postMessage({ call });
    if (op === 'close') { databases.delete(db); await pg.close(); return parentPort.postMessage({ call }); }
    if (op === 'exec') { await pg.exec(sql); return parentPort.postMessage({ call }); }
    const result = await pg.query(sql);
    parentPort.postMessage({ call, rows: result.rows });
  } catch (err) {
    parentPort.postMessage({ call, error: String(err && err.message ? err.message : err) });
  }
});
`;
