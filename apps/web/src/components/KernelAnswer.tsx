/** The kernel's (or the server's) answer to an action, shown where the action was taken. */
import type { ActionState } from './useAction.ts';

export function KernelAnswer({ state, testid }: { state: ActionState<unknown>; testid?: string }) {
  if (state.status === 'idle') return null;
  if (state.status === 'pending')
    return (
      <span className="answer pending" data-testid={testid} data-status="pending">
        working…
      </span>
    );
  if (state.status === 'ok')
    return (
      <span className="answer ok" data-testid={testid} data-status="ok" role="status">
        ✓ {state.message}
      </span>
    );
  const e = state.error;
  // the server's message already names the field ("size: …", errors.ts namingField): saying it again read "size: … (size)"
  return (
    <span className="answer err" data-testid={testid} data-status="error" data-errno={e.errno} data-field={e.field} role="alert">
      <span className="errno">{e.errno}</span>
      <span>{e.message}</span>
    </span>
  );
}
