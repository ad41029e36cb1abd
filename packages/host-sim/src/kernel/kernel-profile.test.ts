import { describe, expect, it } from 'vitest';
import { errnoName } from '@vfioscope/uapi';
import { simErrnoName } from './fail.ts';
import { kernelProfile, kernelVersion } from './kernel-profile.ts';

describe('the kernel the sim models', () => {
  it('reads major.minor from uname -r', () => {
    expect(kernelVersion('6.1.0-28-amd64')).toEqual([6, 1]);
    expect(kernelVersion('6.12.95-vfioscope')).toEqual([6, 12]);
    expect(kernelVersion('not a release')).toEqual([6, 1]);
  });

  it('Linux 6.1: the type1 container only, EINVAL for a non-container fd, 4-byte BAR pieces', () => {
    const p = kernelProfile({ release: '6.1.0-28-amd64' });
    expect(p.uapi).toEqual({ container: 'type1', iommufd: false, cdev: false });
    expect(p.foreignContainerFdErrno).toBe('EINVAL');
    expect(p.barAccessPiece).toBe(4);
  });

  it('Linux 6.12: /dev/iommu and the cdev, the container served by type1 unless told otherwise; EBADFD; 8-byte pieces', () => {
    const p = kernelProfile({ release: '6.12.95-vfioscope' });
    expect(p.uapi).toEqual({ container: 'type1', iommufd: true, cdev: true });
    expect(p.foreignContainerFdErrno).toBe('EBADFD');
    expect(p.barAccessPiece).toBe(8);
    expect(kernelProfile({ release: '6.12.95', iommu: 'iommufd-compat' }).uapi.container).toBe('iommufd-compat');
    // Debian's stock bookworm-backports 6.12 image: no CONFIG_IOMMUFD, so no cdev either
    expect(kernelProfile({ release: '6.12.95+deb12-amd64', iommufd: false }).uapi).toEqual({
      container: 'type1',
      iommufd: false,
      cdev: false,
    });
    // 6.2–6.5: iommufd without the device cdev
    expect(kernelProfile({ release: '6.5.0' }).uapi).toEqual({ container: 'type1', iommufd: true, cdev: false });
  });

  it('refuses a kernel that cannot exist', () => {
    expect(() => kernelProfile({ release: '6.1.0', cdev: true })).toThrow(/6\.6/);
    expect(() => kernelProfile({ release: '6.1.0', iommu: 'iommufd-compat' })).toThrow(/iommufd/);
    expect(() => kernelProfile({ release: '6.12.95', iommufd: false, iommu: 'iommufd-compat' })).toThrow(/compat/);
    expect(() => kernelProfile({ release: '6.12.95', iommufd: false, cdev: true })).toThrow(/needs iommufd/);
  });

  it('names EBADFD (77) and EADDRINUSE (98) as errnoName does, so the sim and the linux backend agree', () => {
    expect(simErrnoName('EBADFD')).toBe(errnoName(77));
    expect(simErrnoName('EADDRINUSE')).toBe(errnoName(98));
    expect(simErrnoName('EINVAL')).toBe('EINVAL');
  });
});
