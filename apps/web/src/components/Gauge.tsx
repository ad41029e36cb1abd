/** A usage gauge: used against a limit, amber past 75 %, red past 90 %. */
import { percent, percentLabel } from '../format/units.ts';

export function Gauge(props: {
  label: string;
  used: number;
  limit: number | null;
  format: (n: number) => string;
  /** the value as words, instead of "used / limit" (e.g. "32 / 33 GiB locked") */
  value?: string;
  testid?: string;
}) {
  const pct = percent(props.used, props.limit);
  const level = pct === null ? '' : pct >= 90 ? 'bad' : pct >= 75 ? 'warn' : '';
  return (
    <div className={`gauge ${level}`} data-testid={props.testid} data-used={props.used} data-limit={props.limit ?? ''}>
      <div className="gauge-top">
        <span className="gauge-pct">{percentLabel(props.used, props.limit) ?? '—'}</span>
        <span className="gauge-value" data-testid={props.testid ? `${props.testid}-value` : undefined}>
          {props.value ?? (
            <>
              {props.format(props.used)} <span className="faint">/ {props.limit === null ? 'unlimited' : props.format(props.limit)}</span>
            </>
          )}
        </span>
      </div>
      <div className="track">
        <div className="fill" style={{ width: `${pct ?? 0}%` }} />
      </div>
      <span className="gauge-label">{props.label}</span>
    </div>
  );
}
