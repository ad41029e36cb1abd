/**
 * A VFIO device opened through its character device (/dev/vfio/devices/vfioN,
 * Linux 6.6+ with CONFIG_VFIO_DEVICE_CDEV): the native iommufd path, with no
 * group file and no container. The fd answers every device ioctl a group's
 * device fd does (LinuxDevice's, inherited) once it is bound to an iommufd
 * (VFIO_DEVICE_BIND_IOMMUFD; before, the kernel refuses them with EINVAL) and
 * can do DMA once attached to an IOAS (VFIO_DEVICE_ATTACH_IOMMUFD_PT).
 * Binding claims the device's whole group for this iommufd: opening the
 * group file is EBUSY meanwhile. close(2) detaches and unbinds, so teardown
 * is the same as a group device's: interrupts off, then close.
 */
import type { CdevDevice, Iommufd, VfioErrorContext } from '@vfioscope/host';
import { VfioError } from '@vfioscope/host';
import * as libc from '../syscalls/libc.ts';
import {
  VFIO_DEVICE_ATTACH_IOMMUFD_PT,
  VFIO_DEVICE_BIND_IOMMUFD,
  VFIO_DEVICE_DETACH_IOMMUFD_PT,
  decodeDeviceAttachIommufdPt,
  decodeDeviceBindIommufd,
  encodeDeviceAttachIommufdPt,
  encodeDeviceBindIommufd,
  encodeDeviceDetachIommufdPt,
} from '@vfioscope/uapi';
import { LinuxDevice } from './linux-device.ts';
import { LinuxIommufd } from './linux-iommufd.ts';
import type { Resources } from './resources.ts';

export class LinuxCdevDevice extends LinuxDevice implements CdevDevice {
  constructor(
    name: string,
    group: number,
    /** the cdev's name, "vfioN" */
    readonly cdev: string,
    fd: number,
    resources: Resources,
  ) {
    super(name, group, fd, resources);
  }

  protected override ctx(): VfioErrorContext {
    return { ...super.ctx(), cdev: this.cdev };
  }

  async bind(iommufd: Iommufd): Promise<number> {
    const op = 'VFIO_DEVICE_BIND_IOMMUFD';
    this.guard(op);
    if (!(iommufd instanceof LinuxIommufd) || iommufd.isClosed) {
      throw VfioError.fromErrno(9 /* EBADF */, op, 'not an open iommufd of this linux host', this.ctx());
    }
    const buf = encodeDeviceBindIommufd({ iommufd: iommufd.fd });
    // the first bind opens the device, and vfio-pci resets the function then: off the event loop
    await libc.ioctlPtrBlocking(this.fd, VFIO_DEVICE_BIND_IOMMUFD, buf, op, this.ctx());
    return decodeDeviceBindIommufd(buf).out_devid;
  }

  async attach(ptId: number): Promise<number> {
    const buf = encodeDeviceAttachIommufdPt({ pt_id: ptId });
    this.ioctl(VFIO_DEVICE_ATTACH_IOMMUFD_PT, buf, 'VFIO_DEVICE_ATTACH_IOMMUFD_PT');
    return decodeDeviceAttachIommufdPt(buf).pt_id;
  }

  async detach(): Promise<void> {
    this.ioctl(VFIO_DEVICE_DETACH_IOMMUFD_PT, encodeDeviceDetachIommufdPt(), 'VFIO_DEVICE_DETACH_IOMMUFD_PT');
  }
}
