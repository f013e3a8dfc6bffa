/**
 * Group commit: coalesces concurrent calls into groups that one `flush` handles together (the events
 * intake writes a group's single events in one transaction). A call made while nothing is in flight is
 * flushed at once, alone: a lone request pays no window. While a group is in flight, calls gather; they
 * leave as the next group when the one in flight returns, when `maxSize` have gathered, or `windowMs`
 * after the first of them arrived — whichever comes first — with at most `maxInFlight` groups at once
 * (past it they wait for a group to return). Each call gets its own outcome: `flush` answers one per
 * item, in order.
 */
export type GroupOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  /** The longest a call waits for its group to leave while another is in flight (ms). */
  windowMs: number;
  /** The most calls in one group. */
  maxSize: number;
  /** The most groups in flight at once. */
  maxInFlight: number;
}

export interface GroupCommitter<I, O> {
  submit(item: I): Promise<O>;
  /** Groups flushed so far and the calls they held (tests, logs). */
  stats(): { groups: number; items: number };
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export function createGroupCommitter<I, O>(
  flush: (items: I[]) => Promise<GroupOutcome<O>[]>,
  options: GroupCommitOptions,
): GroupCommitter<I, O> {
  let pending: Waiting<I, O>[] = [];
  let inFlight = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let windowOver = false;
  const counts = { groups: 0, items: 0 };

  function clearTimer() {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  /** Sends the next group when one may leave now; otherwise makes sure the window's timer runs. */
  function pump() {
    while (pending.length && inFlight < options.maxInFlight) {
      const due = inFlight === 0 || windowOver || pending.length >= options.maxSize;
      if (!due) break;
      const group = pending.slice(0, options.maxSize);
      pending = pending.slice(group.length);
      windowOver = false;
      clearTimer();
      void run(group);
    }
    if (pending.length && !timer && !windowOver) {
      timer = setTimeout(() => {
        timer = null;
        windowOver = true;
        pump();
      }, options.windowMs);
    }
  }

  async function run(group: Waiting<I, O>[]) {
    inFlight++;
    counts.groups++;
    counts.items += group.length;
    try {
      const outcomes = await flush(group.map((w) => w.item));
      group.forEach((w, i) => {
        const outcome = outcomes[i];
        if (!outcome) w.reject(new Error("group commit: no outcome for this call"));
        else if (outcome.ok) w.resolve(outcome.value);
        else w.reject(outcome.error);
      });
    } catch (err) {
      for (const w of group) w.reject(err);
    } finally {
      inFlight--;
      // Whoever gathered while this group was in flight has waited long enough.
      if (pending.length) windowOver = true;
      pump();
    }
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        pump();
      });
    },
    stats: () => ({ ...counts }),
  };
}
