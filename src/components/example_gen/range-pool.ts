/**
 * Runs CsvExampleGen's range conversions (csv-parts.ts) a few at a time. The scans run in this
 * thread, one after another; each range's DuckDB statements run on DuckDB's own thread (a one-thread
 * instance per range in hand), so DuckDB writes earlier ranges while later ones are scanned and both
 * cores stay busy. (Worker threads measured slower: each pays module loading and JIT warm-up again,
 * and the scans then compete with DuckDB for the same two cores.) The output does not depend on how
 * many ranges are in hand: each range is converted alone.
 */
import { DuckSession } from '../../data/duckdb';
import { convertRange, RangeJob, RangeResult, rewriteRange, RewriteJob, RANGE_MEMORY_LIMIT } from './csv-parts';

export class RangePool {
  private readonly free: DuckSession[] = [];
  private readonly all: DuckSession[] = [];
  private readonly waiting: (() => void)[] = [];
  private inHand = 0;

  /** `slots`: ranges in hand at once (one being scanned, the others being written by DuckDB). */
  constructor(private readonly slots: number) {}

  convert(job: RangeJob): Promise<RangeResult> {
    return this.withSession((db) => convertRange(db, job));
  }

  rewrite(rewrite: RewriteJob): Promise<void> {
    return this.withSession((db) => rewriteRange(db, rewrite));
  }

  private async withSession<T>(work: (db: DuckSession) => Promise<T>): Promise<T> {
    if (this.inHand >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inHand++;
    try {
      let db = this.free.pop();
      if (!db) {
        db = await DuckSession.open({ threads: 1, memoryLimit: RANGE_MEMORY_LIMIT });
        this.all.push(db);
      }
      try {
        return await work(db);
      } finally {
        this.free.push(db);
      }
    } finally {
      this.inHand--;
      this.waiting.shift()?.();
    }
  }

  close(): void {
    for (const db of this.all.splice(0)) db.close();
  }
}
