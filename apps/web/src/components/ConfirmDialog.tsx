/** A modal confirmation for destructive actions (reset, BAR writes, unmaps). */
import { useEffect, useRef, type ReactNode } from 'react';

export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    cancelRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') props.onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [props.onCancel]);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click outside the dialog is a mouse shortcut for Cancel; the keyboard has Escape and the focused Cancel button
    <div className="dialog-backdrop" onMouseDown={props.onCancel}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        data-testid="confirm-dialog"
        onMouseDown={(e) => e.stopPropagation()}
      >
        <h2>{props.title}</h2>
        <div className="dialog-body">{props.children}</div>
        <div className="dialog-actions">
          <button type="button" className="btn ghost" ref={cancelRef} onClick={props.onCancel} data-testid="confirm-cancel">
            Cancel
          </button>
          <button type="button" className={`btn ${props.danger ? 'danger' : 'primary'}`} onClick={props.onConfirm} data-testid="confirm-ok">
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
