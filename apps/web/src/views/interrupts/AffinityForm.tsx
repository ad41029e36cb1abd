/**
 * Move a vector to other CPUs: the operator types a CPU list ("1", "0-3,8"),
 * the server writes it to /proc/irq/N/smp_affinity_list, and the answer —
 * the affinity and effective CPU the kernel now reports, or its errno
 * (EACCES unless root, EINVAL/ERANGE for a list it refuses, EIO for an IRQ it
 * will not move) — comes back as a toast, like every other action.
 */
import { useState } from 'react';
import { formatCpuList, parseCpuList, type VectorRate } from '@vfioscope/protocol';
import { useHostClient } from '../../host/HostClientProvider.tsx';
import { ActionButton } from '../../components/ActionButton.tsx';
import { toast } from '../../components/toasts.ts';
import { toApiError } from '../../components/useAction.ts';
import { vectorName } from './storm-model.ts';

export function AffinityForm({ r }: { r: VectorRate }) {
  const { api } = useHostClient();
  const [text, setText] = useState(r.affinity ?? '');
  const [pending, setPending] = useState(false);
  const cpus = parseCpuList(text);
  const invalid = cpus === null || cpus.length === 0 ? 'a CPU list such as 1 or 0-3,8' : null;
  const what = `${vectorName(r)} of ${r.bdf}`;
  const submit = async () => {
    if (!cpus || cpus.length === 0) return;
    setPending(true);
    try {
      const a = await api.call('irqAffinity', { body: { key: r.key, cpus } });
      toast.ok(
        `IRQ ${a.irq} (${what}) may run on CPUs ${a.affinity}`,
        a.effective === null ? undefined : `delivered to CPU ${a.effective}`,
      );
    } catch (e) {
      toast.error(toApiError(e), `set the affinity of ${what} to ${formatCpuList(cpus)}`);
    } finally {
      setPending(false);
    }
  };
  return (
    <form
      className="affinity-form"
      data-testid={`affinity-form-${r.key}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        <span className="faint">CPUs</span>
        <input
          className="mono"
          value={text}
          size={8}
          aria-label={`CPU list for ${what}`}
          aria-invalid={invalid !== null}
          onChange={(e) => setText(e.target.value)}
          data-testid={`affinity-input-${r.key}`}
        />
      </label>
      <ActionButton small testid={`affinity-set-${r.key}`} onClick={() => void submit()} disabledReason={invalid} pending={pending}>
        Set affinity
      </ActionButton>
    </form>
  );
}
