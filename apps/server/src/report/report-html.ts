/**
 * A report's facts as one HTML document that needs nothing else: inline
 * CSS, the chart as inline SVG, no script, no URL — and a Content Security
 * Policy that says so, so even a file edited later cannot fetch or run
 * anything. Every text that came from a host goes through html`` (html-escape.ts).
 */
import type { Alert, LogEvent, StormAlert } from '@vfioscope/protocol';
import { Html, html, type HtmlValue } from './html-escape.ts';
import { rateSvg } from './rate-svg.ts';
import type { ReportFacts, ReportHost } from './report-facts.ts';
import { bytes, duration, owner, rate, safeFileName, utc } from './report-format.ts';

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;color:#111827;margin:24px auto;max-width:980px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
.sub{color:#6b7280;margin:0 0 16px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dt{color:#6b7280}dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #f3f4f6;vertical-align:top}
th{color:#6b7280;font-weight:600}td.t{white-space:nowrap;font-variant-numeric:tabular-nums}td.msg{font-family:ui-monospace,monospace;word-break:break-word}
.legend{color:#6b7280;font-size:12px}.swatch{display:inline-block;width:12px;height:10px;background:#fcd9a0;margin-right:4px}
.none{color:#6b7280;font-style:italic}.bad{color:#b91c1c}
footer{margin-top:32px;color:#6b7280;font-size:12px}
`;

const REASONS: Record<StormAlert['reason'], string> = {
  absolute: 'the rate went over the absolute storm threshold',
  baseline: "the rate went over its threshold: a multiple of the vector's own learned baseline",
  'intx-unmask-loop': 'INTx fire-and-unmask cycles went over the unmask-loop threshold (the line is unmasked as soon as it fires)',
};

function fact(name: string, label: string, value: HtmlValue): Html {
  return html`<dt>${label}</dt><dd data-fact="${name}">${value}</dd>`;
}

function title(f: ReportFacts): string {
  const a = f.alert;
  if (a?.kind === 'storm') return `Interrupt storm on ${a.bdf} ${a.index} vector ${a.vector}`;
  if (a?.kind === 'kernel') return `Kernel alert: ${a.reason}${a.bdf ? ` on ${a.bdf}` : ''}`;
  return `Interrupts from ${utc(f.from)} to ${utc(f.to)}`;
}

function whyStorm(a: StormAlert, f: ReportFacts): Html {
  const measured = f.measuredPeak ? `measured peak ${rate(f.measuredPeak.rate)} at ${utc(f.measuredPeak.t)}` : 'no rate samples kept';
  return html`${REASONS[a.reason]} of <b>${rate(a.threshold)}</b> and stayed over it for the detector's sustain window; the alert recorded a peak of <b>${rate(a.peakRate)}</b> (${measured}).`;
}

function whatHappened(f: ReportFacts): Html {
  const a: Alert | null = f.alert;
  const band = f.bands.find((b) => a?.kind === 'storm' && b.to === (a.clearedAt ?? b.to)) ?? f.bands[0];
  const v = f.vector;
  const rows: Html[] = [];
  if (a) rows.push(fact('alert', 'Alert', html`${a.id} (${a.kind})`));
  if (v) {
    rows.push(fact('vector', 'Vector', html`${v.index} vector ${v.vector} <span class="sub">(${v.key})</span>`));
    rows.push(fact('device', 'Device', v.bdf));
  } else if (a?.kind === 'kernel') rows.push(fact('device', 'Device', a.bdf ?? 'none named'));
  rows.push(fact('owner', 'Owner', owner(a?.owner ?? v?.owner ?? null)));
  if (a?.kind === 'storm') {
    rows.push(fact('peak', 'Peak rate', rate(Math.max(a.peakRate, f.measuredPeak?.rate ?? 0))));
    rows.push(fact('started', 'Began', band ? utc(band.from) : utc(a.raisedAt)));
    rows.push(fact('raised', 'Alert raised', utc(a.raisedAt)));
    rows.push(fact('cleared', 'Cleared', a.clearedAt === null ? 'still storming when this report was made' : utc(a.clearedAt)));
    rows.push(fact('duration', 'Duration', band ? `${duration(band.to - band.from)}${band.ongoing ? ' so far' : ''}` : 'unknown'));
    rows.push(fact('why', 'Why a storm', whyStorm(a, f)));
  } else if (a?.kind === 'kernel') {
    rows.push(fact('reason', 'Reason', a.reason));
    rows.push(fact('count', 'Kernel messages counted', a.count));
    rows.push(fact('raised', 'Raised', utc(a.raisedAt)));
    rows.push(fact('cleared', 'Cleared', a.clearedAt === null ? 'still active when this report was made' : utc(a.clearedAt)));
    rows.push(fact('duration', 'Duration', duration((a.clearedAt ?? a.lastAt) - a.raisedAt)));
    rows.push(fact('why', 'What the kernel said', a.message));
    if (f.measuredPeak) rows.push(fact('peak', 'Peak rate (busiest vector)', rate(f.measuredPeak.rate)));
  } else if (f.measuredPeak) {
    rows.push(fact('peak', 'Peak rate', `${rate(f.measuredPeak.rate)} at ${utc(f.measuredPeak.t)}`));
    rows.push(fact('storms', 'Storms in the window', f.bands.length));
  }
  return html`<dl>${rows}</dl>`;
}

function chart(f: ReportFacts): Html {
  if (!f.vector) return html`<p class="none">No vector had interrupts in this window: no rate to chart.</p>`;
  const threshold = f.alert?.kind === 'storm' && f.alert.key === f.vector.key ? f.alert.threshold : null;
  return html`<figure style="margin:0">${rateSvg({ points: f.series, from: f.from, to: f.to, bands: f.bands, threshold })}<figcaption class="legend">Interrupts per second of ${f.vector.key} (UTC). <span class="swatch"></span>storm${f.bands.length === 1 ? '' : 's'} (${f.bands.length}), from the first sample over the threshold to the clearing.</figcaption></figure>`;
}

function eventTable(
  id: string,
  events: readonly LogEvent[],
  omitted: number,
  empty: string,
  columns: 'kernel' | 'actions' | 'alerts',
): Html {
  if (events.length === 0) return html`<p class="none" id="${id}">${empty}</p>`;
  const head =
    columns === 'kernel'
      ? html`<tr><th>Time</th><th>Device</th><th>Kind</th><th>Message</th></tr>`
      : columns === 'actions'
        ? html`<tr><th>Time</th><th>Who</th><th>Action</th><th>Device</th><th>Outcome</th></tr>`
        : html`<tr><th>Time</th><th>Event</th><th>Message</th></tr>`;
  const rows = events.map((e) => {
    const t = html`<td class="t">${utc(e.ts)}</td>`;
    if (columns === 'kernel') return html`<tr>${t}<td>${e.device ?? ''}</td><td>${e.op ?? ''}</td><td class="msg">${e.message}</td></tr>`;
    if (columns === 'actions') {
      const failed = e.kind === 'error' || ('errno' in e && e.errno !== undefined);
      return html`<tr>${t}<td>${'actor' in e ? (e.actor ?? '') : ''}</td><td>${e.op ?? ''}</td><td>${e.device ?? ''}</td><td class="${failed ? 'bad' : ''}">${'errno' in e && e.errno ? `${e.errno}: ` : ''}${e.message}</td></tr>`;
    }
    return html`<tr>${t}<td>${e.kind}</td><td>${e.message}</td></tr>`;
  });
  const more =
    omitted > 0 ? html`<p class="none">${omitted} older ones in the window are left out (the server's event log has them all).</p>` : null;
  return html`${more}<table id="${id}"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

function hostFacts(h: ReportHost): Html {
  const head = [
    fact('hostname', 'Host name', h.hostname),
    fact('kernel', 'Kernel', h.kernel),
    fact('backend', 'Backend', `${h.backend}${h.scenario ? ` (scenario ${h.scenario})` : ''}`),
  ];
  const tick = fact('tick', 'Sampling', `${h.tickHz} Hz`);
  const i = h.info;
  if (i === null)
    return html`<dl>${head}${tick}</dl><p class="none">The recording does not carry the rest of the host's facts (it did not follow the host topic).</p>`;
  const iommu = i.iommu.present ? `present, ${i.iommu.groupCount} groups` : `absent${i.iommu.reason ? ` (${i.iommu.reason})` : ''}`;
  const uapi = [
    i.uapi.container ? `container (${i.uapi.container})` : null,
    i.uapi.iommufd ? 'iommufd' : null,
    i.uapi.cdev ? 'device cdev' : null,
  ]
    .filter((x) => x !== null)
    .join(', ');
  const drive =
    h.drive === null
      ? 'not recorded'
      : `${h.drive.iommu}${h.drive.kind ? ` → ${h.drive.kind}` : ''}${h.drive.reason ? ` (${h.drive.reason})` : ''}`;
  const remap = i.interruptRemapping === null ? 'unknown' : i.interruptRemapping ? 'yes' : 'no';
  return html`<dl>${[
    ...head,
    fact('iommu', 'IOMMU', iommu),
    fact('iommu-mode', 'IOMMU mode (vfioscope drives)', drive),
    fact('uapi', 'VFIO uAPIs offered', uapi || 'none'),
    fact('remapping', 'Interrupt remapping', remap),
    fact(
      'unsafe-interrupts',
      'allow_unsafe_interrupts',
      i.modules.allowUnsafeInterrupts === null ? 'unknown' : String(i.modules.allowUnsafeInterrupts),
    ),
    fact('cpus', 'CPUs', i.cpus),
    fact('vectors', 'Interrupt vectors (VFIO in use / host limit)', `${h.vectorsInUse ?? 'unknown'} / ${i.vectorLimit}`),
    fact('page-size', 'Page size', bytes(i.pageSize)),
    fact('memlock', 'RLIMIT_MEMLOCK (vfioscope)', bytes(i.memlockLimit)),
    fact('dma-entry-limit', 'dma_entry_limit', i.modules.dmaEntryLimit ?? 'unknown'),
    tick,
  ]}</dl>`;
}

/** The report as an HTML document. */
export function reportHtml(f: ReportFacts): string {
  const heading = title(f);
  const origin = f.origin.kind === 'live' ? 'the live host' : `the recording ${f.origin.file}`;
  return `<!doctype html>${
    html`<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${heading} — ${f.host.hostname}</title><style>${new Html(CSS)}</style></head><body>
<h1>${heading}</h1>
<p class="sub">${f.host.hostname} · ${utc(f.from)} – ${utc(f.to)} · from ${origin}</p>
<section id="what"><h2>What happened</h2>${whatHappened(f)}</section>
<section id="chart"><h2>Rate</h2>${chart(f)}</section>
<section id="kernel"><h2>Kernel messages</h2>${eventTable('kernel-messages', f.kernel, f.omitted.kernel, 'The kernel logged nothing about VFIO devices in this window.', 'kernel')}</section>
<section id="actions"><h2>Operator actions</h2>${eventTable('operator-actions', f.actions, f.omitted.actions, 'Nobody acted through vfioscope in this window.', 'actions')}</section>
<section id="alerts"><h2>Alerts raised and cleared</h2>${eventTable('alert-events', f.alertEvents, f.omitted.alertEvents, 'No alert was raised or cleared in this window.', 'alerts')}</section>
<section id="host"><h2>Host</h2>${hostFacts(f.host)}</section>
<footer>Made by vfioscope at ${utc(f.generatedAt)} from ${origin}. Self-contained: no script, nothing fetched.</footer>
</body></html>
`.text
  }`;
}

/** The attachment's name: vfioscope-report-<host>-<UTC time>[-<alert>].html */
export function reportFileName(f: ReportFacts): string {
  const at = new Date(f.to).toISOString().slice(0, 19).replace(/[-:]/g, '');
  return safeFileName(`vfioscope-report-${f.host.hostname}-${at}Z${f.alert ? `-${f.alert.id}` : ''}.html`);
}
