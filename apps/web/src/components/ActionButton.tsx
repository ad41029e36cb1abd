/**
 * A button that performs an operator action. For viewers it is disabled and
 * says why (tooltip + aria-description); with `confirm` it asks first.
 */
import { useState, type ReactNode } from 'react';
import { useSession } from '../app/session.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';

export function ActionButton(props: {
  children: ReactNode;
  onClick: () => void;
  testid: string;
  variant?: 'primary' | 'danger' | 'ghost' | '';
  small?: boolean;
  /** disabled for a reason other than the role (e.g. "group not open") */
  disabledReason?: string | null;
  pending?: boolean;
  confirm?: { title: string; body: ReactNode; label: string };
}) {
  const session = useSession();
  const [asking, setAsking] = useState(false);
  const reason = session.actionBlockedReason ?? props.disabledReason ?? null;
  const cls = ['btn', props.variant ?? '', props.small ? 'small' : ''].filter(Boolean).join(' ');
  return (
    <>
      <button
        type="button"
        className={cls}
        data-testid={props.testid}
        disabled={reason !== null || props.pending}
        title={reason ?? undefined}
        aria-description={reason ?? undefined}
        data-disabled-reason={reason ?? undefined}
        onClick={() => (props.confirm ? setAsking(true) : props.onClick())}
      >
        {props.children}
      </button>
      {asking && props.confirm ? (
        <ConfirmDialog
          title={props.confirm.title}
          confirmLabel={props.confirm.label}
          danger={props.variant === 'danger'}
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setAsking(false);
            props.onClick();
          }}
        >
          {props.confirm.body}
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/** The viewer's note shown once above a group of disabled actions. */
export function RoleNote() {
  const { actionBlockedReason } = useSession();
  if (!actionBlockedReason) return null;
  return (
    <div className="disabled-reason" data-testid="role-note">
      <span className="badge info">read-only</span> {actionBlockedReason}
    </div>
  );
}
