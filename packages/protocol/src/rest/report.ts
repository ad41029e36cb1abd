/**
 * GET /api/v1/report: what happened around an alert (or in a time range), as
 * one self-contained HTML file to hand to someone who was not there — the
 * vector, device and owner, the peak and how long it lasted, the rule that
 * made it a storm, the rate chart, the kernel's messages and the operators'
 * actions around it, and the host's facts. It opens offline: inline CSS and
 * SVG, no script, no URL.
 */
import { Type, type Static } from '@sinclair/typebox';

/** the longest window a report covers (the per-second history a server keeps: an hour) */
export const REPORT_MAX_SPAN_MS = 3_600_000;

/** milliseconds since the Unix epoch, as a query string carries them */
export const EpochMsString = Type.String({ pattern: '^[0-9]{1,15}$', description: 'milliseconds since the Unix epoch' });

export const ReportQuery = Type.Object(
  {
    /** the alert to report on (storm or kernel), as GET /alerts names it; excludes from/to/key */
    alert: Type.Optional(Type.String({ pattern: '^[a-z]+-[0-9a-z]{1,12}-[0-9]{1,9}$', maxLength: 40 })),
    /** or a time range, at most REPORT_MAX_SPAN_MS long */
    from: Type.Optional(EpochMsString),
    to: Type.Optional(EpochMsString),
    /** the vector to chart in a range ("bdf/index/vector"); default: the busiest one in it */
    key: Type.Optional(
      Type.String({ maxLength: 64, pattern: '^[0-9a-fA-F]{4,}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]/(INTX|MSI|MSIX|ERR|REQ)/[0-9]{1,5}$' }),
    ),
  },
  { additionalProperties: false },
);
export type ReportQuery = Static<typeof ReportQuery>;

/** The file itself; not JSON. */
export const ReportDocument = Type.String({ description: 'the report: one HTML document with inline CSS and SVG, no script' });
