/**
 * Toasts: the results of actions, kept outside React so that a message
 * outlives the component that started the action. A group card that jumps to
 * another section after Release (or a dialog that closes) would otherwise take
 * its answer with it. Views call `toast.ok/info/error`; <Toaster/> in App shows
 * the list. ok/info fade after a while, errors stay until dismissed.
 */
import type { ApiError } from '../api/rest.ts';

export type ToastTone = 'ok' | 'info' | 'error';

export interface Toast {
  readonly id: number;
  readonly tone: ToastTone;
  readonly message: string;
  readonly detail: string | null;
  /** the kernel's (or the protocol's) errno name, for errors */
  readonly errno: string | null;
  readonly at: number;
}

/** long enough to read a sentence after looking back from the terminal */
export const TOAST_TTL_MS = 8000;
/** a burst (e.g. a script of actions) must not bury the page */
const MAX_TOASTS = 5;

type Listener = () => void;

class ToastStore {
  private list: readonly Toast[] = [];
  private nextId = 1;
  private listeners = new Set<Listener>();
  private timers = new Map<number, ReturnType<typeof setTimeout>>();

  /** the current list, same identity until it changes (for useSyncExternalStore) */
  snapshot = (): readonly Toast[] => this.list;

  subscribe = (fn: Listener): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  push(tone: ToastTone, message: string, detail: string | null, errno: string | null): number {
    const t: Toast = { id: this.nextId++, tone, message, detail, errno, at: Date.now() };
    let next = [...this.list, t];
    // drop the oldest non-error first: an unread error matters more than an old success
    while (next.length > MAX_TOASTS) {
      const i = next.findIndex((x) => x.tone !== 'error');
      const victim = next[i === -1 ? 0 : i]!;
      this.clearTimer(victim.id);
      next = next.filter((x) => x !== victim);
    }
    this.list = next;
    if (tone !== 'error')
      this.timers.set(
        t.id,
        setTimeout(() => this.dismiss(t.id), TOAST_TTL_MS),
      );
    this.emit();
    return t.id;
  }

  dismiss(id: number): void {
    if (!this.list.some((t) => t.id === id)) return;
    this.clearTimer(id);
    this.list = this.list.filter((t) => t.id !== id);
    this.emit();
  }

  clear(): void {
    for (const id of this.timers.keys()) this.clearTimer(id);
    this.list = [];
    this.emit();
  }

  private clearTimer(id: number): void {
    const h = this.timers.get(id);
    if (h !== undefined) clearTimeout(h);
    this.timers.delete(id);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }
}

export const toastStore = new ToastStore();

export const toast = {
  ok(message: string, detail?: string): void {
    toastStore.push('ok', message, detail ?? null, null);
  },
  info(message: string, detail?: string): void {
    toastStore.push('info', message, detail ?? null, null);
  },
  /** `context` says what was being done ("Release group 25"); the errno and message are the server's */
  error(err: ApiError, context?: string): void {
    const message = context ? `${context}: ${err.message}` : err.message;
    toastStore.push('error', message, err.field ? `field: ${err.field}` : null, err.errno);
  },
};
