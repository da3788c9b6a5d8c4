// Downloads a bulk operation's JSONL result from a byte offset (HTTP Range), as
// a stream of lines. Shopify keeps the file for 7 days behind a signed URL.
import { PermanentError, RetriableError, coerceError } from '../../errors.js';
import { jsonLines } from './bulk-export.js';

export type ExportLine = { text: string; bytes: number };

export type BulkResult =
  /** The offset is the end of the file: everything was read. */
  | { kind: 'ended' }
  /** `signal` was aborted before the download started. */
  | { kind: 'stopped' }
  /** Lines from the offset on; call close() when done (it also ends the download). */
  | { kind: 'lines'; lines: AsyncIterator<ExportLine>; close(): void };

export interface BulkDownloadOptions {
  /** Bytes already read: the download resumes after them. */
  offset: number;
  /** Aborting it (the worker stops) ends the download. */
  signal: AbortSignal;
  fetch?: typeof fetch;
  /** Time allowed until the response starts. */
  headersTimeoutMs?: number;
}

/** Opens the result at `offset`. Throws PermanentError when the file is gone, RetriableError when the download failed. */
export async function openBulkResult(url: string, options: BulkDownloadOptions): Promise<BulkResult> {
  const doFetch = options.fetch ?? fetch;
  const { offset, signal } = options;
  const download = new AbortController();
  const onStop = () => download.abort();
  signal.addEventListener('abort', onStop, { once: true });
  const close = () => {
    signal.removeEventListener('abort', onStop);
    download.abort();
  };
  const headersTimer = setTimeout(() => download.abort(), options.headersTimeoutMs ?? 30_000);
  let response: Response;
  try {
    response = await doFetch(url, { headers: offset > 0 ? { Range: `bytes=${offset}-` } : {}, signal: download.signal });
  } catch (e) {
    close();
    if (signal.aborted) return { kind: 'stopped' };
    throw new RetriableError('bulk_download_failed', `Could not download Shopify's export: ${coerceError(e).message}`, e);
  } finally {
    clearTimeout(headersTimer);
  }

  if (response.status === 416) {
    close();
    return { kind: 'ended' };
  }
  if (response.status === 403 || response.status === 404 || response.status === 410) {
    close();
    throw new PermanentError('bulk_result_expired', 'The export file is no longer available (Shopify keeps it for 7 days). Start the initial sync again.');
  }
  if (!response.ok || !response.body) {
    close();
    throw new RetriableError('bulk_download_failed', `Downloading Shopify's export failed (HTTP ${response.status}).`);
  }
  // A server that ignores Range answers 200 with the whole file: skip what was already read.
  const skipBytes = response.status === 206 ? 0 : offset;
  const lines = jsonLines(response.body as unknown as AsyncIterable<Uint8Array>, { skipBytes })[Symbol.asyncIterator]();
  return { kind: 'lines', lines, close };
}
