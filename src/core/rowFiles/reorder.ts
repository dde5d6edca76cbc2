// Holds what finished out of order until everything before it has finished, so results are
// written in source order. The run loop bounds it: nothing more is dispatched while `pending` is
// `window` items ahead of the head (see fileRun.ts).
export class ReorderBuffer<T> {
  private readonly waiting = new Map<number, T>();

  /** `head`: the sequence number of the next item to hand out. */
  constructor(private next = 0) {}

  /** The next sequence number to hand out in order. */
  get head(): number {
    return this.next;
  }

  /** Items held, finished but waiting for an earlier one. */
  get size(): number {
    return this.waiting.size;
  }

  put(seq: number, value: T): void {
    if (seq < this.next || this.waiting.has(seq)) throw new Error(`Item ${seq} was already put.`);
    this.waiting.set(seq, value);
  }

  has(seq: number): boolean {
    return this.waiting.has(seq);
  }

  /** Takes the items that are now in order (from the head on, without a gap). */
  take(): T[] {
    const out: T[] = [];
    for (let value = this.waiting.get(this.next); value !== undefined || this.waiting.has(this.next); value = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      this.next++;
      out.push(value as T);
    }
    return out;
  }

  /** Everything still held, in order, gaps left out (a run stopping writes them provisionally). */
  held(): [number, T][] {
    return [...this.waiting.entries()].sort((a, b) => a[0] - b[0]);
  }
}
