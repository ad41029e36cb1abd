/**
 * One device: its view (GET), and the device-fd actions — reset
 * (VFIO_DEVICE_RESET, verified by reading config space back), hot reset
 * (VFIO_DEVICE_PCI_HOT_RESET, confirmed with what it takes along), region read/write (pread/pwrite at the region's
 * offset) — plus driver bind/unbind through sysfs.
 */
import type { FastifyInstance } from 'fastify';
import { bytesToHex, hexToBytes, routes, toHex64 } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { registerRoute } from '../http/route-registry.ts';
import { ApiProblem } from '../errors.ts';
import { asActor, actorOf } from '../audit/actor.ts';
import { deviceDetail, groupHeld } from '../views/device-detail.ts';
import { drivableDevice, intParam, knownDevice, u64Field } from '../validation.ts';

export function registerDeviceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerRoute(app, routes.device, async (req) => deviceDetail(ctx, await knownDevice(ctx, req.params.bdf)));

  registerRoute(app, routes.deviceReset, async (req) => {
    const dev = await drivableDevice(ctx, req.params.bdf);
    const verification = await asActor(req, () => ctx.session.reset(dev.bdf));
    return { bdf: dev.bdf, reset: true as const, verification };
  });

  registerRoute(app, routes.deviceHotReset, async (req) => {
    const dev = await drivableDevice(ctx, req.params.bdf);
    // the operator confirmed a list of functions: refuse if the kernel would now take others along
    const now = (await ctx.session.hotResetInfo(dev.bdf)).devices.map((d) => d.bdf).sort();
    const confirmed = [...new Set(req.body.affected)].sort();
    if (now.join() !== confirmed.join()) {
      throw new ApiProblem(
        'EVALIDATION',
        `a hot reset of ${dev.bdf} would take along ${now.join(', ')}, not the confirmed ${confirmed.join(', ')}: confirm again`,
        'affected',
      );
    }
    return asActor(req, () => ctx.session.hotReset(dev.bdf));
  });

  /** The region, checked against the device's own region table: index exists, range inside it. */
  async function regionRange(bdf: string, indexParam: string, offsetStr: string, size: number) {
    const index = intParam(indexParam, 'index', 0, 0, 255);
    const state = await ctx.session.deviceState(bdf);
    const region = state.regions.find((r) => r.index === index);
    if (!region || region.error !== null || region.size === 0n) {
      throw new ApiProblem('EINVAL', `device ${bdf} has no region ${index}`, 'index');
    }
    const offset = u64Field(offsetStr, 'offset');
    if (offset >= region.size) {
      throw new ApiProblem(
        'EINVAL',
        `offset ${toHex64(offset)} is past the end of region ${index} (size ${toHex64(region.size)})`,
        'offset',
      );
    }
    if (offset + BigInt(size) > region.size) {
      throw new ApiProblem(
        'EINVAL',
        `offset ${toHex64(offset)} + ${size} bytes runs past the end of region ${index} (size ${toHex64(region.size)})`,
        'size',
      );
    }
    return { index, offset };
  }

  registerRoute(app, routes.regionRead, async (req) => {
    const dev = await drivableDevice(ctx, req.params.bdf);
    const { index, offset } = await regionRange(dev.bdf, req.params.index, req.body.offset, req.body.size);
    const data = await asActor(req, () => ctx.session.regionRead(dev.bdf, index, offset, req.body.size));
    return { bdf: dev.bdf, index, offset: toHex64(offset), size: data.length, data: bytesToHex(data) };
  });

  registerRoute(app, routes.regionWrite, async (req) => {
    const data = hexToBytes(req.body.data);
    if (data === null || data.length === 0) throw new ApiProblem('EVALIDATION', 'data must be whole hex byte pairs', 'data');
    const dev = await drivableDevice(ctx, req.params.bdf);
    const { index, offset } = await regionRange(dev.bdf, req.params.index, req.body.offset, data.length);
    await asActor(req, () => ctx.session.regionWrite(dev.bdf, index, offset, data));
    return { bdf: dev.bdf, index, offset: toHex64(offset), written: data.length };
  });

  registerRoute(app, routes.deviceBind, async (req) => {
    const dev = await knownDevice(ctx, req.params.bdf);
    if (groupHeld(ctx, dev)) {
      throw new ApiProblem('EBUSY', `vfioscope holds group ${dev.iommuGroup}; close it before changing ${dev.bdf}'s driver`, 'bdf');
    }
    const driver = req.body.driver;
    const what = driver === null ? `unbind ${dev.bdf}` : `bind ${dev.bdf} to ${driver}`;
    // sysfs bind is a host call, not a session action: log it here, success or errno
    try {
      await asActor(req, () => ctx.host.bindDriver(dev.bdf, driver));
    } catch (err) {
      // a bind can fail part-way (driver_override written, the old driver let go, the probe refused)
      ctx.observed.invalidate();
      const errno = (err as { errno?: string }).errno ?? 'EINTERNAL';
      ctx.eventLog.append({
        kind: 'error',
        message: `${what} failed: ${errno} ${(err as Error).message}`,
        op: 'bindDriver',
        actor: actorOf(req),
        device: dev.bdf,
        errno,
        data: { driver },
      });
      throw err;
    }
    // sysfs changed under the snapshot (driver, group viability), not through the session: say so here
    ctx.observed.invalidate();
    ctx.eventLog.append({ kind: 'action', message: what, op: 'bindDriver', actor: actorOf(req), device: dev.bdf, data: { driver } });
    return { bdf: dev.bdf, driver: req.body.driver };
  });
}
