/**
 * Alerts: conditions that need an operator, active while they hold and kept
 * a while after they clear. Two kinds, told apart by `kind`:
 * - storm: one vector's interrupt rate over a threshold (storm detection);
 * - kernel: something the kernel logged — an IOMMU fault storm from a device,
 *   a DMA pin refused by RLIMIT_MEMLOCK, an IRQ line the kernel disabled.
 * Both are served by GET /alerts and the stream's `alerts` topic.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Bdf, ProcessRef, Timestamp } from '../primitives.ts';

export const StormAlert = Type.Object({
  kind: Type.Literal('storm'),
  id: Type.String(),
  /** the vector's key in irq-rates ("bdf/index/vector"), for its live rate and history */
  key: Type.String(),
  bdf: Bdf,
  index: Type.String(),
  vector: Type.Integer(),
  owner: Type.Union([ProcessRef, Type.Null()]),
  peakRate: Type.Number(),
  reason: Type.Union([Type.Literal('absolute'), Type.Literal('baseline'), Type.Literal('intx-unmask-loop')]),
  /** the rate (per second) that had to be exceeded for this reason: what made it a storm */
  threshold: Type.Number(),
  raisedAt: Timestamp,
  clearedAt: Type.Union([Timestamp, Type.Null()]),
});
export type StormAlert = Static<typeof StormAlert>;

/**
 * When each clears (the server's telemetry decides): a fault storm once the device has logged no
 * fault for the storm window; a memlock refusal and a device error a minute after the last one; a
 * disabled IRQ once interrupts are counted on it again (it was freed and requested again); a device
 * request two minutes after the last request (REQ repeats every 10 s while the unbind waits); a
 * failed reset once a later reset of the device comes back.
 */
export const KernelAlertReason = Type.Union([
  /** many IOMMU faults from one device within a short window */
  Type.Literal('iommu-fault-storm'),
  /** vfio_pin_pages_remote: RLIMIT_MEMLOCK exceeded */
  Type.Literal('memlock-exceeded'),
  /** "Disabling IRQ #N": the kernel gave up on a line */
  Type.Literal('irq-disabled'),
  /** a PCIe (AER) error on the device: the AER log, or VFIO's ERR interrupt to its user */
  Type.Literal('device-error'),
  /** the kernel asks the device's user to release it (an unbind or hot-unplug waits): REQ, or the kernel's own line */
  Type.Literal('device-request'),
  /** a reset after which config space read all-ones: the device did not come back */
  Type.Literal('reset-failed'),
]);
export type KernelAlertReason = Static<typeof KernelAlertReason>;

export const KernelAlert = Type.Object({
  kind: Type.Literal('kernel'),
  id: Type.String(),
  /** the condition ("iommu-fault-storm/<bdf>", "irq-disabled/<irq>", …): one alert at a time per key */
  key: Type.String(),
  reason: KernelAlertReason,
  /** the device the kernel named (an IRQ's: a VFIO vector seen on it), null when none is known */
  bdf: Type.Union([Bdf, Type.Null()]),
  group: Type.Union([Type.Integer(), Type.Null()]),
  owner: Type.Union([ProcessRef, Type.Null()]),
  /** irq-disabled: the host IRQ number */
  irq: Type.Union([Type.Integer(), Type.Null()]),
  /** kernel messages counted into it (faults, refusals) */
  count: Type.Integer({ minimum: 1 }),
  /** what happened and what to do */
  message: Type.String(),
  raisedAt: Timestamp,
  /** the last message counted into it */
  lastAt: Timestamp,
  clearedAt: Type.Union([Timestamp, Type.Null()]),
});
export type KernelAlert = Static<typeof KernelAlert>;

export const Alert = Type.Union([StormAlert, KernelAlert]);
export type Alert = Static<typeof Alert>;

export const AlertsResponse = Type.Object({ alerts: Type.Array(Alert) });
export type AlertsResponse = Static<typeof AlertsResponse>;
