/**
 * A modal confirmation for destructive actions (reset, BAR writes, unmaps,
 * release). Focus starts on Cancel, stays inside while it is open and goes
 * back to the button that opened it; Escape cancels.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useFocusTrap } from './useFocusTrap.ts';

export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialogRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useFocusTrap(dialogRef, cancelRef);
  useEffect(() => {
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
        ref={dialogRef}
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        data-testid="confirm-dialog"
        tabIndex={-1}
        onMouseDown={(e) => e.stopPropagation()}
      >
        <h2 id={titleId}>{props.title}</h2>
        <div className="dialog-body" id={bodyId}>
          {props.children}
        </div>
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
