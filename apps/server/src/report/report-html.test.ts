import { describe, expect, it } from 'vitest';
import type { LogEvent, StormAlert } from '@vfioscope/protocol';
import type { ReportFacts } from './report-facts.ts';
import { reportFileName, reportHtml } from './report-html.ts';
import { testHost } from './test-source.ts';

const T0 = Date.UTC(2026, 11, 3, 6, 0, 0);
const HOSTILE = '<img src=x onerror=alert(1)>';

const alert: StormAlert = {
  kind: 'storm',
  id: 'storm-abc-1',
  key: '0000:65:00.2/MSIX/3',
  bdf: '0000:65:00.2',
  index: 'MSIX',
  vector: 3,
  owner: { pid: 4242, comm: 'qemu-system-x86', vm: `win11${HOSTILE}` },
  peakRate: 81_234,
  reason: 'absolute',
  threshold: 50_000,
  raisedAt: T0 + 62_000,
  clearedAt: T0 + 125_000,
};

function facts(over: Partial<ReportFacts> = {}): ReportFacts {
  return {
    generatedAt: T0 + 200_000,
    origin: { kind: 'live' },
    from: T0,
    to: T0 + 185_000,
    alert,
    vector: { key: alert.key, bdf: alert.bdf, index: 'MSIX', vector: 3, owner: alert.owner },
    bands: [{ from: T0 + 60_000, to: T0 + 125_000, ongoing: false }],
    series: Array.from({ length: 186 }, (_, i) => ({ t: T0 + i * 1000, rate: i >= 60 && i < 125 ? 80_000 : 100 })),
    measuredPeak: { t: T0 + 61_000, rate: 80_000 },
    kernel: [
      {
        seq: 1,
        ts: T0 + 70_000,
        kind: 'kernel',
        op: 'iommu-fault',
        device: alert.bdf,
        message: `DMAR: fault ${HOSTILE}`,
        data: {},
      } as unknown as LogEvent,
    ],
    actions: [
      { seq: 2, ts: T0 + 90_000, kind: 'action', actor: `mallory${HOSTILE}`, op: 'device.irqs', device: alert.bdf, message: 'mask' },
    ],
    alertEvents: [],
    omitted: { kernel: 0, actions: 0, alertEvents: 0 },
    host: testHost({ hostname: `gpu-07${HOSTILE}` }),
    ...over,
  };
}

describe('reportHtml', () => {
  it('states what happened: vector, device, owner, peak, duration and the threshold that made it a storm', () => {
    const doc = reportHtml(facts());
    expect(doc).toMatch(/^<!doctype html><html lang="en">/);
    expect(doc).toContain('<h1>Interrupt storm on 0000:65:00.2 MSIX vector 3</h1>');
    expect(doc).toContain('data-fact="vector">MSIX vector 3');
    expect(doc).toContain('data-fact="device">0000:65:00.2</dd>');
    expect(doc).toContain('data-fact="peak">81\u2009234 /s</dd>');
    expect(doc).toContain('data-fact="duration">1 min 5 s</dd>');
    expect(doc).toContain('data-fact="started">2026-12-03 06:01:00 UTC</dd>');
    expect(doc).toMatch(/data-fact="why">the rate went over the absolute storm threshold of <b>50\u2009000 \/s<\/b>/);
    expect(doc).toContain('<rect class="storm-band"');
    expect(doc).toContain('data-fact="cpus">64</dd>');
    expect(doc).toContain('data-fact="iommu-mode">auto → iommufd</dd>');
  });

  it('escapes every text that came from a host, and carries no script and no URL', () => {
    const doc = reportHtml(facts());
    expect(doc).not.toContain(HOSTILE);
    expect(doc).toContain('win11&lt;img src=x onerror=alert(1)&gt;');
    expect(doc).toContain('mallory&lt;img');
    expect(doc).toContain('DMAR: fault &lt;img');
    expect(doc).toContain('gpu-07&lt;img');
    expect(doc).not.toMatch(/<script|https?:\/\/|<img|<link|@import|url\(/i);
    expect(doc).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it("says what it lacks: a range with no vector, and a recording without the host's facts", () => {
    const doc = reportHtml(
      facts({
        alert: null,
        vector: null,
        bands: [],
        series: [],
        measuredPeak: null,
        kernel: [],
        actions: [],
        host: testHost({ info: null, drive: null }),
        origin: { kind: 'replay', file: 'r.vfr' },
      }),
    );
    expect(doc).toContain('<title>Interrupts from 2026-12-03 06:00:00 UTC to 2026-12-03 06:03:05 UTC');
    expect(doc).toContain('no rate to chart');
    expect(doc).toContain('The kernel logged nothing');
    expect(doc).toContain('does not carry the rest of the host');
    expect(doc).toContain('from the recording r.vfr');
    expect(doc).not.toContain('data-fact="cpus"');
  });

  it('names the file after the host, the end of the window and the alert, in characters safe in a header', () => {
    expect(reportFileName(facts())).toBe('vfioscope-report-gpu-07_img_src_x_onerror_alert_1_-20261203T060305Z-storm-abc-1.html');
  });
});
