/**
 * Everything a LinuxHost holds open, so that it can be released in the
 * kernel's teardown order (QEMU's vfio_disconnect_container, rust-vmm's
 * Drop order): interrupts disabled, DMA unmapped, device fds closed, groups
 * detached from their container and closed, containers closed; then
 * eventfds and DMA memory. Each step is best effort: one failure must not
 * keep the rest held.
 */
export interface Releasable {
  /** synchronous, so it can run from a signal handler */
  releaseSync(): void;
}

export interface DeviceResource extends Releasable {
  /** VFIO_DEVICE_SET_IRQS DATA_NONE|ACTION_TRIGGER count 0 on every index it wired */
  disableIrqsSync(): void;
}

export interface ContainerResource extends Releasable {
  /** unmap every DMA mapping it made */
  unmapAllSync(): void;
}

export interface GroupResource extends Releasable {
  unsetContainerSync(): void;
}

export class Resources {
  readonly devices = new Set<DeviceResource>();
  readonly groups = new Set<GroupResource>();
  readonly containers = new Set<ContainerResource>();
  readonly eventFds = new Set<Releasable>();
  readonly buffers = new Set<Releasable>();
  readonly errors: unknown[] = [];

  private attempt(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.errors.push(e);
    }
  }

  /** Release everything in teardown order; returns the failures (already released objects are forgotten). */
  releaseAllSync(): unknown[] {
    for (const d of this.devices) this.attempt(() => d.disableIrqsSync());
    for (const c of this.containers) this.attempt(() => c.unmapAllSync());
    for (const d of [...this.devices]) this.attempt(() => d.releaseSync());
    for (const g of this.groups) this.attempt(() => g.unsetContainerSync());
    for (const g of [...this.groups]) this.attempt(() => g.releaseSync());
    for (const c of [...this.containers]) this.attempt(() => c.releaseSync());
    for (const e of [...this.eventFds]) this.attempt(() => e.releaseSync());
    for (const b of [...this.buffers]) this.attempt(() => b.releaseSync());
    this.devices.clear();
    this.groups.clear();
    this.containers.clear();
    this.eventFds.clear();
    this.buffers.clear();
    return this.errors.splice(0);
  }
}
