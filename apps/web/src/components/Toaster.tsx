/**
 * Shows the toast store (toasts.ts) bottom-right, above everything, mounted
 * once in App so re-layout of a view never takes a result away. ok/info are
 * polite status messages; errors are alerts and stay until closed.
 */
import { useSyncExternalStore } from 'react';
import { type Toast, toastStore } from './toasts.ts';

function ToastItem({ t }: { t: Toast }) {
  const isError = t.tone === 'error';
  return (
    <div
      className={`toast ${t.tone}`}
      data-testid="toast"
      data-tone={t.tone}
      data-errno={t.errno ?? undefined}
      role={isError ? 'alert' : 'status'}
    >
      <div className="toast-text">
        {t.errno ? <span className="errno">{t.errno}</span> : null}
        <span className="toast-message">{t.message}</span>
        {t.detail ? <div className="toast-detail">{t.detail}</div> : null}
      </div>
      <button type="button" className="toast-close" aria-label="Dismiss" data-testid="toast-close" onClick={() => toastStore.dismiss(t.id)}>
        ×
      </button>
    </div>
  );
}

export function Toaster() {
  const list = useSyncExternalStore(toastStore.subscribe, toastStore.snapshot);
  return (
    <section className="toaster" aria-label="Notifications" data-testid="toaster">
      {list.map((t) => (
        <ToastItem key={t.id} t={t} />
      ))}
    </section>
  );
}
