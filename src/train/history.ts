/**
 * What fit() returns: per-epoch training and validation results under Keras'
 * names (`loss`, `accuracy`, `val_loss`, `val_accuracy`, `lr`), JSON-able.
 * @example
 * const h = fit(model, opts);
 * h.history.val_loss;     // [0.41, 0.33, ...]
 * h.train[0].accuracy;    // first epoch's training accuracy
 */
export class History {
  /** 0-based epoch numbers that completed. */
  epoch: number[] = [];
  /** Each result key mapped to its value per epoch. */
  history: Record<string, number[]> = {};
  /** Set when training ended early: by a callback (EarlyStopping, TerminateOnNaN). */
  stopped?: { epoch: number; step?: number; reason: string };

  record(epoch: number, logs: Record<string, number>): void {
    this.epoch.push(epoch);
    const k = this.epoch.length - 1;
    for (const [key, v] of Object.entries(logs)) {
      if (!this.history[key]) this.history[key] = new Array<number>(k).fill(NaN);
      this.history[key].push(v);
    }
    for (const arr of Object.values(this.history)) if (arr.length < k + 1) arr.push(NaN);
  }

  /** Training results per epoch (keys without the val_ prefix, lr excluded). */
  get train(): Array<Record<string, number>> {
    return this.rows((key) => (!key.startsWith('val_') && key !== 'lr' ? key : null));
  }

  /** Validation results per epoch, keys without the val_ prefix. */
  get validation(): Array<Record<string, number>> {
    return this.rows((key) => (key.startsWith('val_') ? key.slice(4) : null));
  }

  /** The last epoch's value of a key. */
  last(key: string): number | undefined {
    const arr = this.history[key];
    return arr?.[arr.length - 1];
  }

  private rows(pick: (key: string) => string | null): Array<Record<string, number>> {
    return this.epoch.map((_, i) => {
      const row: Record<string, number> = {};
      for (const [key, arr] of Object.entries(this.history)) {
        const name = pick(key);
        if (name !== null) row[name] = arr[i];
      }
      return row;
    });
  }

  toJSON(): { epoch: number[]; history: Record<string, number[]>; stopped?: History['stopped'] } {
    return { epoch: this.epoch, history: this.history, ...(this.stopped ? { stopped: this.stopped } : {}) };
  }
}
