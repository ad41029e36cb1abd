/**
 * Group viability: a group is usable only when every device in it is bound
 * to vfio-pci or to no driver. The kernel reports it in GROUP_GET_STATUS and
 * refuses SET_CONTAINER on a non-viable group with EPERM (the IOMMU core will
 * not hand DMA ownership of a group a host driver uses). Binding goes through
 * driver_override + drivers_probe, an operator action; each case restores the
 * original binding.
 */
import { describe, expect, it } from 'vitest';
import type { Host } from '../host.ts';
import { caseIn, eduPair, requireSharedGroup, type SuiteContext } from './context.ts';
import { expectErrno } from './expect-errno.ts';
import { LEGACY_MODES } from './modes.ts';
import type { Scope } from './scope.ts';
import type { SharedGroupRef } from './target.ts';

async function groupInfo(host: Host, id: number) {
  return (await host.topology()).groups.find((g) => g.id === id);
}

/** Rebind the blocker to its host driver after every VFIO object of the case is gone. */
function restoreBlockerAtTeardown(scope: Scope, host: Host, shared: SharedGroupRef): void {
  scope.defer('host', `rebind ${shared.blocker.bdf} to ${shared.blocker.driver}`, async () => {
    await host.bindDriver(shared.blocker.bdf, shared.blocker.driver);
  });
}

/** The group, now viable, goes into a container; opened by hand: it must be closed before the blocker can be rebound. */
async function attachGroupToContainer(host: Host, shared: SharedGroupRef): Promise<void> {
  const container = await host.openContainer();
  try {
    const group = await host.openGroup(shared.group);
    try {
      expect(await group.status()).toEqual({ viable: true, containerSet: false });
      await group.setContainer(container);
      expect(await group.status()).toEqual({ viable: true, containerSet: true });
      await group.unsetContainer();
    } finally {
      await group.close();
    }
  } finally {
    await container.close();
  }
}

/** The group's device on vfio-pci, now in a viable group, binds through its cdev (EPERM before). */
async function bindMemberCdev(host: Host, shared: SharedGroupRef): Promise<void> {
  const member = (await host.topology()).devices.find((d) => shared.devices.includes(d.bdf) && d.driver === 'vfio-pci');
  if (!member) throw new Error(`group ${shared.group} has no device on vfio-pci`);
  const iommufd = await host.openIommufd();
  try {
    const device = await host.openDeviceCdev(member.bdf);
    try {
      expect(await device.bind(iommufd)).toBeGreaterThan(0);
    } finally {
      await device.close();
    }
  } finally {
    await iommufd.close();
  }
}

export function viabilityAndBinding(ctx: SuiteContext): void {
  describe('viability and binding', () => {
    it('a group with a device on a host driver is not viable: topology names the blocker, GET_STATUS lacks VIABLE', async () => {
      const t = ctx.target();
      const shared = requireSharedGroup(t);
      const topology = await t.host.topology();
      const info = topology.groups.find((g) => g.id === shared.group);
      const blocker = topology.devices.find((d) => d.bdf === shared.blocker.bdf);
      expect(blocker?.driver).toBe(shared.blocker.driver);
      expect(blocker?.driver).not.toBe('vfio-pci');
      expect(blocker?.iommuGroup).toBe(shared.group);
      expect(info?.devices.slice().sort()).toEqual(shared.devices.slice().sort());
      expect(info?.viable).toBe(false);
      expect(info?.blockers).toEqual([shared.blocker]);
      const group = await ctx.scope().openGroup(shared.group);
      expect(await group.status()).toEqual({ viable: false, containerSet: false });
    });

    caseIn(
      ctx,
      LEGACY_MODES,
      'no container: its counterpart is the cdev bind EPERM case',
      'a group that is not viable cannot reach DMA: type1 refuses SET_CONTAINER (EPERM), compat refuses its device (GET_DEVICE_FD EPERM)',
      async () => {
        const t = ctx.target();
        const shared = requireSharedGroup(t);
        const scope = ctx.scope();
        const container = await scope.openContainer();
        const group = await scope.openGroup(shared.group);
        const answer = ctx.answers.container?.notViableSetContainer ?? 'EPERM';
        if (answer !== 'ok') {
          await expectErrno(group.setContainer(container), answer);
          expect((await group.status()).containerSet).toBe(false);
          return;
        }
        await scope.attach(group, container);
        await scope.setType1v2(container);
        const member = (await t.host.topology()).devices.find((d) => shared.devices.includes(d.bdf) && d.driver === 'vfio-pci');
        if (!member) throw new Error(`group ${shared.group} has no device on vfio-pci`);
        await expectErrno(group.openDevice(member.bdf), 'EPERM');
      },
    );

    it('unbinding the blocker makes the group viable (usable), rebinding it makes it not viable again', async () => {
      const t = ctx.target();
      const shared = requireSharedGroup(t);
      const scope = ctx.scope();
      restoreBlockerAtTeardown(scope, t.host, shared);
      await t.host.bindDriver(shared.blocker.bdf, null);
      const unbound = (await t.host.topology()).devices.find((d) => d.bdf === shared.blocker.bdf);
      expect(unbound?.driver).toBeNull();
      expect(unbound?.driverOverride).toBeNull();
      expect(await groupInfo(t.host, shared.group)).toMatchObject({ viable: true, blockers: [] });

      if (ctx.mode === 'iommufd') {
        await bindMemberCdev(t.host, shared);
      } else {
        await attachGroupToContainer(t.host, shared);
      }

      await t.host.bindDriver(shared.blocker.bdf, shared.blocker.driver);
      expect(await groupInfo(t.host, shared.group)).toMatchObject({ viable: false, blockers: [shared.blocker] });
    });

    it('unbinding a device whose group is held is refused with EBUSY and changes nothing (the kernel would block the write until release)', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const scope = ctx.scope();
      // held the way this mode holds a device: its group file, or (iommufd) its cdev
      if (ctx.mode === 'iommufd') await scope.openCdev(edu.bdf);
      else await scope.openGroup(edu.group);
      await expectErrno(t.host.bindDriver(edu.bdf, null), 'EBUSY');
      expect((await t.host.topology()).devices.find((d) => d.bdf === edu.bdf)).toMatchObject({
        driver: 'vfio-pci',
        driverOverride: 'vfio-pci',
      });
    });

    it('binding the blocker to vfio-pci makes the group viable and topology shows the new driver and override', async () => {
      const t = ctx.target();
      const shared = requireSharedGroup(t);
      restoreBlockerAtTeardown(ctx.scope(), t.host, shared);
      await t.host.bindDriver(shared.blocker.bdf, 'vfio-pci');
      const topology = await t.host.topology();
      expect(topology.devices.find((d) => d.bdf === shared.blocker.bdf)).toMatchObject({
        driver: 'vfio-pci',
        driverOverride: 'vfio-pci',
      });
      expect(topology.groups.find((g) => g.id === shared.group)).toMatchObject({ viable: true, blockers: [] });
    });
  });
}
