/**
 * What a report says, gathered before anything is drawn (gather-report.ts),
 * and where it is gathered from: a live server's telemetry, event log and
 * host, or a recording a server replays — the same questions, two sources.
 */
import type { Alert, DriveModeView, HistoryPoint, HostInfoView, LogEvent, ProcessRef } from '@vfioscope/protocol';

export interface ReportVector {
  /** "bdf/index/vector" */
  key: string;
  bdf: string;
  index: string;
  vector: number;
  owner: ProcessRef | null;
}

export interface ReportHost {
  hostname: string;
  kernel: string;
  backend: string;
  scenario: string | null;
  /** the rest of what GET /host says (IOMMU, uAPIs, CPUs, limits); null when the source does not carry it (a recording without its host topic) */
  info: HostInfoView | null;
  /** the IOMMU path vfioscope drives; null when the source does not say (a recording made before the host topic) */
  drive: DriveModeView | null;
  /** interrupt vectors in use by VFIO devices; null when unknown */
  vectorsInUse: number | null;
  tickHz: number;
}

/** An interval the chart shades: a storm, from its first point over the threshold to its clearing. */
export interface ReportBand {
  from: number;
  to: number;
  /** still storming when the report was made */
  ongoing: boolean;
}

export interface ReportFacts {
  generatedAt: number;
  origin: { kind: 'live' } | { kind: 'replay'; file: string };
  /** the window the report covers */
  from: number;
  to: number;
  /** the alert the report was asked for; null for a time range */
  alert: Alert | null;
  /** the vector charted (the alert's, the one asked for, or the busiest in the window); null when none */
  vector: ReportVector | null;
  /** storm intervals of the charted vector in the window */
  bands: ReportBand[];
  /** the charted vector's rate, oldest first */
  series: HistoryPoint[];
  /** the highest rate of the series inside the first band (or the window when there is none) */
  measuredPeak: HistoryPoint | null;
  /** the kernel's messages, the operators' actions (and failures), alerts raised and cleared — in the window, oldest first */
  kernel: LogEvent[];
  actions: LogEvent[];
  alertEvents: LogEvent[];
  /** events of each list left out past the list's cap */
  omitted: { kernel: number; actions: number; alertEvents: number };
  host: ReportHost;
}

/** Where a report's facts come from (report-sources.ts: live; replay-report-source.ts: a recording). */
export interface ReportSource {
  origin: ReportFacts['origin'];
  /** the newest moment the source knows: now, or the recording's end */
  now(): number;
  /** every alert it knows, storms and the kernel's */
  alerts(): Promise<Alert[]>;
  /** the vectors it knows, with their owners */
  vectors(): Promise<ReportVector[]>;
  /** one vector's rate in [from, to], oldest first, at the finest resolution kept */
  rates(key: string, from: number, to: number): Promise<HistoryPoint[]>;
  /** the vector (of `bdf`, when given) with the highest rate in [from, to]; null when none had any */
  busiest(from: number, to: number, bdf: string | null): Promise<string | null>;
  /** events with ts in [from, to], oldest first (kernel, action, error, alert, alert-cleared) */
  events(from: number, to: number): Promise<LogEvent[]>;
  host(): Promise<ReportHost>;
}
