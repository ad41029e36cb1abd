/**
 * A button that performs an operator action; with `confirm` it asks first.
 * A disabled button says why in visible text (keyboard and touch users never
 * see a tooltip): the reason follows the button, linked to it by
 * aria-describedby (at the end of a flex row, by CSS order), and buttons of
 * one group sharing a reason show it once.
 * For the viewer role the page-level RoleNote carries the sentence; the group
 * gets a short "read-only" tag instead of the sentence on every button.
 */
import { useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useSession } from '../app/session.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';

/**
 * True when an earlier sibling of `el` already shows the same text: buttons
 * in one group (Enable / Mask / Unmask / Disable) usually share their reason.
 */
function shownBefore(el: HTMLElement | null): boolean {
  const parent = el?.parentElement;
  if (!el || !parent) return false;
  for (const other of parent.querySelectorAll<HTMLElement>(`:scope > .${el.classList[0]}`)) {
    if (other === el) return false;
    if (!other.hidden && other.textContent === el.textContent) return true;
  }
  return false;
}

function VisibleReason({ id, text, kind }: { id: string; text: string; kind: 'reason' | 'role' }) {
  const ref = useRef<HTMLSpanElement>(null);
  const [duplicate, setDuplicate] = useState(false);
  // after every render: siblings come and go, and their reasons change
  useLayoutEffect(() => {
    const d = shownBefore(ref.current);
    if (d !== duplicate) setDuplicate(d);
  });
  return (
    <span
      ref={ref}
      id={id}
      className={kind === 'role' ? 'action-readonly' : 'action-reason'}
      hidden={duplicate}
      data-testid={kind === 'role' ? 'action-readonly' : 'action-reason'}
    >
      {kind === 'role' ? 'read-only' : text}
    </span>
  );
}

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
  const reasonId = useId();
  const roleReason = session.actionBlockedReason;
  const reason = roleReason ?? props.disabledReason ?? null;
  const cls = ['btn', props.variant ?? '', props.small ? 'small' : ''].filter(Boolean).join(' ');
  return (
    <>
      <button
        type="button"
        className={cls}
        data-testid={props.testid}
        disabled={reason !== null || props.pending}
        title={reason ?? undefined}
        // the role's sentence is in the page's RoleNote, the visible tag only says "read-only"
        aria-description={roleReason ?? undefined}
        aria-describedby={reason !== null && roleReason === null ? reasonId : undefined}
        data-disabled-reason={reason ?? undefined}
        onClick={() => (props.confirm ? setAsking(true) : props.onClick())}
      >
        {props.children}
      </button>
      {reason !== null ? <VisibleReason id={reasonId} text={reason} kind={roleReason !== null ? 'role' : 'reason'} /> : null}
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
