/**
 * The host: what it is, its groups and devices, whether the devices
 * vfioscope reset came back, and what the kernel said about them.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { KernelAlertReason } from '@vfioscope/telemetry';
import type { ServerContext } from '../context.ts';

// every reason has a series, 0 while none is active: a record over the type, so a new reason cannot be left out
const KERNEL_ALERT_REASONS = Object.keys({
  'iommu-fault-storm': 0,
  'memlock-exceeded': 0,
  'irq-disabled': 0,
  'device-error': 0,
  'device-request': 0,
  'reset-failed': 0,
} satisfies Record<KernelAlertReason, 0>) as KernelAlertReason[];

export function registerHostMetrics(registry: Registry, ctx: ServerContext): void {
  new Gauge({
    name: 'vfioscope_host_info',
    help: 'Always 1; the labels say which host this is (hostname, kernel release, backend, sim scenario)',
    labelNames: ['hostname', 'kernel', 'backend', 'scenario'] as const,
    registers: [registry],
    collect() {
      const i = ctx.hostInfo;
      this.set({ hostname: i.hostname, kernel: i.kernel, backend: i.backend, scenario: i.scenario ?? '' }, 1);
    },
  });
  new Gauge({
    name: 'vfioscope_iommu_groups',
    help: 'IOMMU groups on the host, by viability',
    labelNames: ['viable'] as const,
    registers: [registry],
    async collect() {
      const topo = (await ctx.observed.read()).topology;
      this.set({ viable: 'true' }, topo.groups.filter((g) => g.viable).length);
      this.set({ viable: 'false' }, topo.groups.filter((g) => !g.viable).length);
    },
  });
  new Gauge({
    name: 'vfioscope_pci_devices',
    help: 'PCI devices in IOMMU groups',
    registers: [registry],
    async collect() {
      this.set((await ctx.observed.read()).topology.devices.length);
    },
  });
  new Gauge({
    name: 'vfioscope_device_reset_came_back',
    help:
      'For each device vfioscope has reset: 1 when config space read back after its last reset, 0 when it read ' +
      'all-ones (the device did not come back and needs a power cycle or a bus rescan)',
    labelNames: ['bdf'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const d of (await ctx.observed.read()).topology.devices) {
        const last = ctx.session.lastReset(d.bdf);
        if (last) this.set({ bdf: d.bdf }, last.cameBack ? 1 : 0);
      }
    },
  });
  new Counter({
    name: 'vfioscope_kernel_messages_total',
    help: 'Kernel log messages vfioscope parsed, per device (bdf, empty when none is named) and kind (iommu-fault, memlock-exceeded, irq-disabled, aer-error, reset, …)',
    labelNames: ['bdf', 'kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of ctx.telemetry.kernelLog.countsByDevice()) this.inc({ bdf: c.bdf, kind: c.kind }, c.n);
    },
  });
  new Gauge({
    name: 'vfioscope_kernel_alerts_active',
    help:
      'Kernel alerts raised and not cleared, by reason (IOMMU fault storm, memlock refusal, disabled IRQ, device error, ' +
      'device request, a reset the device did not come back from)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      const active = ctx.telemetry.kernelLog.alerts.list().filter((a) => a.clearedAt === null);
      for (const reason of KERNEL_ALERT_REASONS) this.set({ reason }, active.filter((a) => a.reason === reason).length);
    },
  });
}
