/**
 * "Export report" on an alert: the server writes one self-contained HTML
 * file about it (GET /api/v1/report?alert=ID — the vector, owner, peak, the
 * rule that made it a storm, the rate chart, kernel messages, actions, host
 * facts) and the browser saves it. A read: viewers may export too. On a
 * fleet host's page the request goes through that host's mirror.
 */
import { type Alert, apiRequest, hostApiPath } from '@vfioscope/protocol';
import { downloadFile } from '../api/download.ts';
import { toast } from '../components/toasts.ts';
import { toApiError } from '../components/useAction.ts';
import { useHostClient } from '../host/HostClientProvider.tsx';

export function ExportReportButton({ alert }: { alert: Pick<Alert, 'id'> }) {
  const { host } = useHostClient();
  const own = apiRequest('report', { query: { alert: alert.id } });
  const req = host === null ? own : { ...own, url: hostApiPath(host, own.url) };
  const file = `vfioscope-report-${alert.id}.html`;
  return (
    <a
      className="btn ghost"
      href={req.url}
      download={file}
      data-testid="export-report"
      title="Save a self-contained HTML report of this alert: what happened, the rate chart, kernel messages, actions, host facts"
      onClick={(e) => {
        // the row is not chosen by this click; the link needs the session's token, which a plain navigation would not carry
        e.stopPropagation();
        e.preventDefault();
        downloadFile(req, file).catch((err: unknown) => toast.error(toApiError(err), 'Export report'));
      }}
      onKeyDown={(e) => e.stopPropagation()}
    >
      Export report
    </a>
  );
}
