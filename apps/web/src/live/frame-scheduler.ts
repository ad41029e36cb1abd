/**
 * Coalesces notifications to at most one per animation frame: a 10 Hz stream
 * of many topics lands in the store immediately, but React hears of it once.
 * Falls back to a timer when the tab is hidden (rAF stops there).
 */
export class FrameScheduler {
  private pending = new Set<() => void>();
  private handle: number | null = null;

  schedule(fn: () => void): void {
    this.pending.add(fn);
    if (this.handle !== null) return;
    const run = () => this.flush();
    this.handle = document.hidden ? window.setTimeout(run, 100) : requestAnimationFrame(run);
  }

  private flush(): void {
    this.handle = null;
    const fns = [...this.pending];
    this.pending.clear();
    for (const fn of fns) fn();
  }
}

export const frameScheduler = new FrameScheduler();
