// Shopify's bulk export result: a JSONL file of customers, read as a stream of
// lines (with their byte sizes, so a reader can resume at an offset) and parsed
// into the adapter's customer shape.
import { PermanentError } from '../../errors.js';
import { customerFromExportJson } from './admin-responses.js';
import type { ShopifyCustomer } from './types.js';

/** A customer line of the export, or null for a line that is not one (blank, child object). */
export function customerFromExportLine(text: string): ShopifyCustomer | null {
  if (text.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PermanentError('bulk_line_invalid', 'A line of the Shopify export is not valid JSON.');
  }
  return customerFromExportJson(json);
}

/**
 * Splits a byte stream into lines without holding more than one line: yields
 * each line's text and its size in bytes (newline included), so the reader
 * knows the exact byte offset it reached. `skipBytes` drops the start of the
 * stream (a server that ignored the Range header).
 */
export async function* jsonLines(
  body: AsyncIterable<Uint8Array>,
  options: { skipBytes?: number; maxLineBytes?: number } = {},
): AsyncGenerator<{ text: string; bytes: number }> {
  const maxLine = options.maxLineBytes ?? 4 * 1024 * 1024;
  let toSkip = options.skipBytes ?? 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const raw of body) {
    let chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (toSkip > 0) {
      if (chunk.length <= toSkip) {
        toSkip -= chunk.length;
        continue;
      }
      chunk = chunk.subarray(toSkip);
      toSkip = 0;
    }
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const line = pendingBytes > 0 ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
      yield { text: line.toString('utf8'), bytes: line.length + 1 };
    }
    if (start < chunk.length) {
      // Copy: the chunk's memory may be reused by the stream.
      pending.push(Buffer.from(chunk.subarray(start)));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLine) throw new PermanentError('bulk_line_too_long', 'A line of the Shopify export is longer than expected.');
    }
  }
  if (pendingBytes > 0) {
    const line = Buffer.concat(pending);
    yield { text: line.toString('utf8'), bytes: line.length };
  }
}
