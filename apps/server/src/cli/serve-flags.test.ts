/**
 * The storm thresholds of `vfioscope serve`: parsed from flags, refused out
 * of range, and handed to the telemetry engine (the issue asks for them to be
 * configurable; the engine's defaults apply to whatever is not given).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_STORM_CONFIG } from '@vfioscope/telemetry';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';
import { UsageError } from './args.ts';
import { parseServeFlags, SERVE_USAGE, stormFlags } from './serve-command.ts';

let f: Fixture | null = null;
afterEach(async () => {
  await f?.close();
  f = null;
});

describe('vfioscope serve: storm thresholds', () => {
  it('are documented in --help', () => {
    for (const flag of ['--storm-rate', '--storm-multiple', '--storm-intx-loop', '--storm-sustain-ms']) expect(SERVE_USAGE).toContain(flag);
  });

  it('take only the flags given, leaving the detector defaults for the rest', () => {
    expect(stormFlags(parseServeFlags([]))).toEqual({});
    expect(
      stormFlags(parseServeFlags(['--storm-rate', '2000', '--storm-multiple=4', '--storm-intx-loop', '500', '--storm-sustain-ms', '250'])),
    ).toEqual({
      absoluteRate: 2000,
      baselineMultiple: 4,
      intxUnmaskLoopRate: 500,
      sustainMs: 250,
    });
  });

  it('refuses values out of range with a usage error naming the flag', () => {
    expect(() => stormFlags(parseServeFlags(['--storm-rate', '0']))).toThrow(UsageError);
    expect(() => stormFlags(parseServeFlags(['--storm-multiple', 'ten']))).toThrow('--storm-multiple must be a number');
    expect(() => stormFlags(parseServeFlags(['--storm-sustain-ms', '-5']))).toThrow('--storm-sustain-ms');
  });

  it('reach the telemetry engine of the app', async () => {
    f = await makeFixture('edu', { storm: stormFlags(parseServeFlags(['--storm-rate', '1234'])) });
    const config = f.app.vfio.ctx.telemetry.stormConfig;
    expect(config.absoluteRate).toBe(1234);
    expect(config.baselineMultiple).toBe(DEFAULT_STORM_CONFIG.baselineMultiple);
  });
});
