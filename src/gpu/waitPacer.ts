/**
 * Sleeping through most of a GPU wait before polling for its end, for Dawn's Node binding.
 *
 * WebGPU's waits (`mapAsync`, `onSubmittedWorkDone`) settle only when the device's events are processed.
 * In a browser that happens off the page's thread; Dawn's Node binding does it from the event loop: while
 * any such promise is pending it queues a `setImmediate` tick that polls the device and queues the next
 * one, so the calling thread spins at a full core for the whole wait. With a GPU the waits are short;
 * with a CPU adapter (SwiftShader) they are tens of milliseconds, and the spinning core is one the emulated
 * GPU's own threads wanted. A pacer holds a wait back (a timer: the thread is idle) for a share of how long
 * the work should take, so the polling covers the tail alone.
 *
 * How long: the last wait's time per dispatch it covered, times the dispatches submitted since, but never
 * longer than the last wait itself: dispatches differ in cost by orders of magnitude (a 20 000-dispatch
 * loop of tiny ops after one heavy product would otherwise sleep for minutes), so the count only scales an
 * estimate down (a short read after a long training chunk), while more work than last time is left to the
 * polling. Waits that start while a sleep runs (reads awaited together) join it: one wait left to poll
 * early would make the binding spin for all of them. Sleeping too long costs latency, and shows: the work
 * was done when the polling began. The estimate is then the wait's length, an upper bound, so a stale one shrinks by the
 * share every wait (the attack's rounds, whose lengths wander by half from one to the next, oversleep a
 * few milliseconds in about half of them). Near the timers' resolution that shrinking stalls: a timer
 * fires a millisecond or so late, and a sleep of three quarters of the last wait plus that millisecond can
 * keep a 1 ms wait at 4. So an oversleep of a short wait drops the estimate, and the next wait, unpaced,
 * measures the work afresh. Waits expected to be short (a real GPU's) are not paced.
 *
 * @module
 */

/** Share of the expected wait slept before polling. */
const SLEEP_SHARE = 0.75;
/** Sleeps shorter than this are not worth a timer (Node's timers have 1 ms granularity). */
const MIN_SLEEP_MS = 2;
/** A wait whose polling took less than this after a sleep had overslept: the work was already done. */
const OVERSLEPT_POLL_MS = 0.5;
/** An oversleep of a wait shorter than this drops the estimate instead of shrinking it. */
const SHORT_WAIT_MS = 4 * MIN_SLEEP_MS;

/** The pacing of one engine's waits. */
export class WaitPacer {
  private lastMs = 0;
  private msPerDispatch = 0;
  private sleeping: Promise<void> | null = null;
  private sleptMs = 0;

  /** Milliseconds slept so far, each sleep counted once however many waits joined it. */
  get slept(): number {
    return this.sleptMs;
  }

  /** How long a wait for `dispatches` newly submitted dispatches sleeps before polling: 0 while waits are short. */
  sleepMs(dispatches: number): number {
    const sleep = SLEEP_SHARE * Math.min(this.lastMs, this.msPerDispatch * dispatches);
    return sleep >= MIN_SLEEP_MS ? sleep : 0;
  }

  /**
   * What a wait for `dispatches` newly submitted dispatches awaits before it polls: the running sleep if
   * there is one, else a new one of {@link sleepMs}; null (nothing to await) when that is 0.
   */
  pause(dispatches: number): Promise<void> | null {
    if (this.sleeping) return this.sleeping;
    const sleep = this.sleepMs(dispatches);
    if (sleep === 0) return null;
    const began = performance.now();
    const sleeping = new Promise<void>((resolve) => setTimeout(resolve, sleep));
    this.sleeping = sleeping;
    void sleeping.then(() => {
      this.sleptMs += performance.now() - began;
      if (this.sleeping === sleeping) this.sleeping = null;
    });
    return sleeping;
  }

  /**
   * Records a finished wait: its length from the submit to the settled promise (sleep included), the
   * dispatches it covered (0 for one that joined another's sleep: it changes nothing), and how long it
   * polled after its sleep (its whole length if it did not sleep).
   */
  observe(elapsedMs: number, dispatches: number, polledMs: number): void {
    // A wait that joined another's sleep covered none of its own: the other one tells.
    if (dispatches === 0) return;
    const overslept = polledMs < elapsedMs && polledMs < OVERSLEPT_POLL_MS;
    this.lastMs = overslept && elapsedMs < SHORT_WAIT_MS ? 0 : elapsedMs;
    this.msPerDispatch = this.lastMs / dispatches;
  }
}
