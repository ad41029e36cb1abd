/**
 * The per-case fixture. Every object a case opens is registered with a
 * Scope, and afterEach releases them in the kernel's teardown order (one
 * order for everyone: rules/teardown.ts) — IRQs disabled, DMA unmapped,
 * device fds closed, groups unset, groups closed, container closed, then
 * process memory and eventfds, then host-level changes (driver bindings,
 * foreign holders) — so cases are independent and a real kernel is left as
 * it was found.
 */
import { VFIO_DMA_UNMAP_FLAG_ALL, VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_TYPE1v2_IOMMU } from '@vfioscope/uapi';
import type { CdevDevice, Container, Device, DmaBuffer, EventFd, Group, Ioas, Iommufd } from '../drive.ts';
import type { Host } from '../host.ts';
import { isVfioError } from '../errors.ts';
import { Teardown, type TeardownStage } from '../rules/teardown.ts';
import { containerSpace, type DmaSpace, ioasSpace } from './dma-space.ts';
import type { ConformanceMode } from './modes.ts';
import type { EduDeviceRef } from './target.ts';

/** a device ready for DMA in the suite's mode, and the DMA context it is attached to: what most cases start from */
export interface DeviceStack {
  dma: DmaSpace;
  device: Device;
}

/** container + group + TYPE1v2 + device (type1, iommufd-compat) */
export interface LegacyStack extends DeviceStack {
  container: Container;
  group: Group;
}

/** /dev/iommu + IOAS + the device's cdev, bound and attached (iommufd) */
export interface CdevStack extends DeviceStack {
  iommufd: Iommufd;
  ioas: Ioas;
  device: CdevDevice;
  /** the device's id in the iommufd (VFIO_DEVICE_BIND_IOMMUFD's out_devid) */
  devId: number;
  /** the page table the device is attached to (an automatic HWPT of the IOAS) */
  ptId: number;
}

export class Scope {
  private readonly teardown = new Teardown();

  constructor(
    readonly host: Host,
    readonly mode: ConformanceMode,
  ) {}

  /** Register a teardown step; steps run by stage, last registered first within a stage. */
  defer(stage: TeardownStage, what: string, run: () => Promise<void>): void {
    this.teardown.add(stage, what, run);
  }

  async openContainer(): Promise<Container> {
    const container = await this.host.openContainer();
    this.defer('context', `close container ${container.id}`, () => container.close());
    return container;
  }

  async openGroup(id: number): Promise<Group> {
    const group = await this.host.openGroup(id);
    this.defer('group', `close group ${id}`, () => group.close());
    return group;
  }

  /** VFIO_GROUP_SET_CONTAINER, undone unless the case already unset it */
  async attach(group: Group, container: Container): Promise<void> {
    await group.setContainer(container);
    this.defer('detach', `unset container of group ${group.id}`, async () => {
      if ((await group.status()).containerSet) await group.unsetContainer();
    });
  }

  /** VFIO_SET_IOMMU(TYPE1v2); teardown unmaps everything still mapped (UNMAP_ALL) */
  async setType1v2(container: Container): Promise<void> {
    await container.setIommu(VFIO_TYPE1v2_IOMMU);
    this.defer('dma', `unmap all in container ${container.id}`, async () => {
      await container.unmapDma({ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL });
    });
  }

  async openDevice(group: Group, bdf: string): Promise<Device> {
    const device = await group.openDevice(bdf);
    this.defer('device', `close device ${bdf}`, () => device.close());
    return device;
  }

  /**
   * Disable an IRQ index at teardown (DATA_NONE | ACTION_TRIGGER, count 0).
   * The kernel refuses this with EINVAL when the index is no longer enabled
   * (a case may have disabled it itself), which is not a leak.
   */
  disableIrqAtTeardown(device: Device, index: number): void {
    this.defer('irq', `disable IRQ index ${index} of ${device.name}`, async () => {
      try {
        await device.setIrqs({
          index,
          start: 0,
          count: 0,
          action: VFIO_IRQ_SET_ACTION_TRIGGER,
          data: { type: 'none' },
        });
      } catch (e) {
        if (!(isVfioError(e) && e.errno === 'EINVAL')) throw e;
      }
    });
  }

  async eventFd(): Promise<EventFd> {
    const efd = await this.host.createEventFd();
    this.defer('memory', `close eventfd ${efd.fd}`, () => efd.close());
    return efd;
  }

  async dmaBuffer(size: bigint): Promise<DmaBuffer> {
    const buffer = await this.host.allocDmaBuffer(size);
    this.defer('memory', `free DMA buffer of ${size} bytes`, () => buffer.free());
    return buffer;
  }

  /** The device ready for DMA the way the suite's mode opens it. */
  openStack(edu: EduDeviceRef): Promise<DeviceStack> {
    return this.mode === 'iommufd' ? this.openCdevStack(edu) : this.openLegacyStack(edu);
  }

  /** A container with `group` attached and TYPE1v2 set, and the group's device open. */
  async openLegacyStack(edu: EduDeviceRef): Promise<LegacyStack> {
    if (this.mode === 'iommufd') throw new Error('the iommufd mode opens no container: use openCdevStack');
    const container = await this.openContainer();
    const group = await this.openGroup(edu.group);
    await this.attach(group, container);
    await this.setType1v2(container);
    const device = await this.openDevice(group, edu.bdf);
    return { container, group, device, dma: containerSpace(container, this.mode) };
  }

  async openIommufd(): Promise<Iommufd> {
    const iommufd = await this.host.openIommufd();
    this.defer('context', `close iommufd ${iommufd.id}`, () => iommufd.close());
    return iommufd;
  }

  /** IOMMU_IOAS_ALLOC; teardown unmaps all of it, then destroys it (before its iommufd closes) */
  async allocIoas(iommufd: Iommufd): Promise<Ioas> {
    const ioas = await iommufd.allocIoas();
    this.defer('context', `destroy IOAS ${ioas.id}`, () => ioas.destroy());
    this.defer('dma', `unmap all of IOAS ${ioas.id}`, async () => {
      try {
        await ioas.unmap(0n, (1n << 64n) - 1n);
      } catch (e) {
        // an IOAS with nothing mapped answers ENOENT: nothing to undo
        if (!(isVfioError(e) && e.errno === 'ENOENT')) throw e;
      }
    });
    return ioas;
  }

  /** open(/dev/vfio/devices/vfioN); closing it unbinds and detaches it */
  async openCdev(bdf: string): Promise<CdevDevice> {
    const device = await this.host.openDeviceCdev(bdf);
    this.defer('device', `close cdev of ${bdf}`, () => device.close());
    return device;
  }

  /** /dev/iommu, an IOAS, the device's cdev bound to the iommufd and attached to the IOAS. */
  async openCdevStack(edu: EduDeviceRef, into?: { iommufd: Iommufd; ioas: Ioas }): Promise<CdevStack> {
    const iommufd = into?.iommufd ?? (await this.openIommufd());
    const ioas = into?.ioas ?? (await this.allocIoas(iommufd));
    const device = await this.openCdev(edu.bdf);
    const devId = await device.bind(iommufd);
    const ptId = await device.attach(ioas.id);
    return { iommufd, ioas, device, devId, ptId, dma: ioasSpace(ioas) };
  }

  /** Run every step; a failing step does not stop the others. Throws if any failed. */
  async release(): Promise<void> {
    const failures = await this.teardown.release();
    if (failures.length > 0) {
      throw new Error(
        `teardown failed:\n  ${failures.map((f) => `${f.what}: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('\n  ')}`,
      );
    }
  }
}
