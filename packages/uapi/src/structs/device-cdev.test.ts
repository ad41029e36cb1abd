import { describe, expect, it } from 'vitest';
import {
  decodeDeviceAttachIommufdPt,
  decodeDeviceBindIommufd,
  decodeDeviceDetachIommufdPt,
  encodeDeviceAttachIommufdPt,
  encodeDeviceBindIommufd,
  encodeDeviceDetachIommufdPt,
} from './device-cdev.ts';

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

describe('vfio_device_bind_iommufd', () => {
  it('is argsz, flags, the __s32 iommufd at 8 and out_devid at 12', () => {
    const bytes = encodeDeviceBindIommufd({ iommufd: 7 });
    expect([...bytes]).toEqual([16, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0]);
    view(bytes).setUint32(12, 1, true);
    expect(decodeDeviceBindIommufd(bytes)).toEqual({ argsz: 16, flags: 0, iommufd: 7, out_devid: 1 });
  });

  it('keeps a negative fd negative', () => {
    expect(decodeDeviceBindIommufd(encodeDeviceBindIommufd({ iommufd: -1 })).iommufd).toBe(-1);
  });
});

describe('vfio_device_attach_iommufd_pt', () => {
  it('passes an IOAS id in and reads the attached HWPT id back from the same field', () => {
    const bytes = encodeDeviceAttachIommufdPt({ pt_id: 2 });
    expect(bytes.byteLength).toBe(12);
    expect(view(bytes).getUint32(8, true)).toBe(2);
    view(bytes).setUint32(8, 3, true);
    expect(decodeDeviceAttachIommufdPt(bytes)).toEqual({ argsz: 12, flags: 0, pt_id: 3 });
  });
});

describe('vfio_device_detach_iommufd_pt', () => {
  it('is argsz and flags only', () => {
    expect([...encodeDeviceDetachIommufdPt()]).toEqual([8, 0, 0, 0, 0, 0, 0, 0]);
    expect(decodeDeviceDetachIommufdPt(encodeDeviceDetachIommufdPt({ argsz: 16 }))).toEqual({ argsz: 16, flags: 0 });
  });
});
