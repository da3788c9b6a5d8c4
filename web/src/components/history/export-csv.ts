// Downloads the consent-history CSV with the session token, reading the stream to
// show progress (rows received of X-Total-Rows), then hands the file to the browser.
import { getSessionToken } from '../../api.js';

export interface ExportFilter {
  from?: string;
  to?: string;
  channel?: 'email' | 'sms';
  customer?: string;
}

export interface ExportProgress {
  rows: number;
  total: number | null;
}

export function exportUrl(filter: ExportFilter): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) q.set(k, String(v));
  const s = q.toString();
  return `/api/consent-history.csv${s ? `?${s}` : ''}`;
}

/** Resolves with the number of rows saved; rejects with a merchant-readable message. */
export async function downloadHistoryCsv(filter: ExportFilter, onProgress: (p: ExportProgress) => void): Promise<number> {
  const token = await getSessionToken();
  const response = await fetch(exportUrl(filter), { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok || !response.body) {
    let message = `The export failed (HTTP ${response.status}).`;
    try {
      const body = (await response.json()) as { error?: string };
      if (body.error) message = body.error;
    } catch {
      // Not JSON: keep the status message.
    }
    throw new Error(message);
  }
  const totalHeader = response.headers.get('X-Total-Rows');
  const total = totalHeader === null ? null : Number(totalHeader);
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let newlines = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    for (const byte of value) if (byte === 10) newlines++;
    // The header line is not a row.
    onProgress({ rows: Math.max(0, newlines - 1), total });
  }
  const rows = Math.max(0, newlines - 1);
  const blob = new Blob(parts as BlobPart[], { type: 'text/csv' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `consent-history${filter.customer ? `-${filter.customer.replace(/[^a-z0-9+.@-]/gi, '_')}` : ''}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return rows;
}
