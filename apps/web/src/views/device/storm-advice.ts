/**
 * "What you can do" about a storm, fitted to the case: who services the
 * vector (a VM's guest driver, another userspace driver, or nobody — an
 * eventfd vfioscope wired and only counts) and what kind of storm it is (an
 * INTx unmask loop, or an MSI/MSI-X vector firing too fast). Words and
 * commands only; the device page draws them and offers the one action that
 * applies here (mask or disable, on vectors vfioscope drives).
 */
import type { StormAlert } from '@vfioscope/protocol';
import { processLabel } from '../../format/owner.ts';
import { vectorName } from '../interrupts/storm-model.ts';

/** a step is text with commands in it: strings are prose, { code } is something to type */
export type AdvicePart = string | { code: string };

export interface StormAdvice {
  case: 'intx-loop' | 'vm' | 'process' | 'self';
  title: string;
  steps: AdvicePart[][];
  /** what vfioscope itself can do here: mask (INTx) or disable the index; null when a VM or another process owns the vector */
  action: 'mask' | 'disable' | null;
}

/** the name vfio-pci gives the host IRQ in /proc/interrupts (vfio_intx_set_signal, vfio_msi_set_vector_signal) */
function hostIrqName(a: StormAlert): string {
  if (a.index === 'INTX') return `vfio-intx(${a.bdf})`;
  return `vfio-${a.index === 'MSIX' ? 'msix' : 'msi'}[${a.vector}](${a.bdf})`;
}

const NOINTXMASK: AdvicePart[] = [
  'If the device ignores INTx masking (a broken PCI 2.3 DisINTx bit), load vfio-pci with ',
  { code: 'nointxmask=1' },
  ' (',
  { code: 'modprobe vfio-pci nointxmask=1' },
  ', or ',
  { code: 'vfio-pci.nointxmask=1' },
  ' on the kernel command line): vfio-pci then masks the line at the interrupt controller, and the device needs an IRQ line it shares with nobody.',
];

function affinity(a: StormAlert): AdvicePart[] {
  return [
    'Keep the storm off the CPUs that matter: find ',
    { code: hostIrqName(a) },
    ' in /proc/interrupts and set its CPU affinity in ',
    { code: '/proc/irq/<n>/smp_affinity_list' },
    '.',
  ];
}

export function stormAdvice(a: StormAlert): StormAdvice {
  const v = vectorName(a);
  const owner = a.owner;
  const vm = owner?.vm ?? null;
  if (a.reason === 'intx-unmask-loop' || a.index === 'INTX') {
    const who: AdvicePart[] = vm
      ? [
          'The line fires again the moment it is unmasked: the driver in ',
          { code: vm },
          " never clears the device's interrupt condition. Look at the guest driver (",
          { code: `virsh console ${vm}` },
          ", the guest's kernel log).",
        ]
      : owner
        ? [
            `The line fires again the moment it is unmasked: ${processLabel(owner)} never clears the device's interrupt condition. Look at that driver's interrupt handler.`,
          ]
        : [
            'The line fires again the moment it is unmasked: nothing services the device — vfioscope only counts its eventfd. Mask INTx here until the device is acknowledged (edu: write 0x64).',
          ];
    const steps = [who, NOINTXMASK];
    if (owner) steps.push(['If the driver can use MSI instead, switch it: MSI is edge-triggered and cannot loop like this.']);
    return { case: 'intx-loop', title: `INTx unmask loop on ${a.bdf}`, steps, action: owner ? null : 'mask' };
  }
  if (vm) {
    return {
      case: 'vm',
      title: `${v} of ${a.bdf} storms in the VM ${vm}`,
      steps: [
        [
          'The guest driver owns this vector: check the driver in ',
          { code: vm },
          ' — its kernel log and version (',
          { code: `virsh console ${vm}` },
          '). A wedged device often needs the guest to reset it, or a driver update.',
        ],
        affinity(a),
        [
          'To stop it now: ',
          { code: `virsh suspend ${vm}` },
          ' pauses the guest (',
          { code: `virsh resume ${vm}` },
          ' continues it); ',
          { code: `virsh shutdown ${vm}` },
          ' stops it cleanly.',
        ],
      ],
      action: null,
    };
  }
  if (owner) {
    return {
      case: 'process',
      title: `${v} of ${a.bdf} storms in ${processLabel(owner)}`,
      steps: [
        [`${processLabel(owner)} holds the group and services this vector: look at that driver's interrupt handling and logs.`],
        affinity(a),
        [
          'To stop it now, stop the process (',
          { code: `kill ${owner.pid}` },
          '): the kernel disables its vectors and releases the device.',
        ],
      ],
      action: null,
    };
  }
  return {
    case: 'self',
    title: `${v} of ${a.bdf} storms on an eventfd vfioscope wired`,
    steps: [
      [
        `vfioscope holds this vector and only counts it. Disable ${a.index} here (VFIO_DEVICE_SET_IRQS, count 0), then find what makes the device fire — a register write, a device left running.`,
      ],
    ],
    action: 'disable',
  };
}
