// Bulk query operations of the fake Shopify: bulkOperationRunQuery on the
// customers connection, an operation that completes after a configurable delay,
// and its JSONL result served over HTTP like Shopify's signed storage URL:
// streamed, generated line by line, with Range support. The result is a frozen
// snapshot taken when the operation completes (Shopify's files never change),
// so a download resumed at a byte offset continues the same file.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import type { FakeCustomer, FakeStore } from './store.js';
import { consentFields, type ConsentFieldsMode } from './consent-fields.js';

export type FakeBulkStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';

export interface FakeBulkOperation {
  id: string;
  shop: string;
  query: string;
  status: FakeBulkStatus;
  createdAt: string;
  completedAt: string | null;
  /** When it completes (or fails), in ms since the epoch. */
  readyAt: number;
  /** Set at creation: the operation ends FAILED with this code. */
  failWith: string | null;
  errorCode: string | null;
  token: string;
  /** One JSONL line (without newline) per customer, frozen at completion. */
  lines: string[] | null;
  bytes: number;
}

/** Customer fields the export writes, in the order of the query. */
function exportLine(c: FakeCustomer, mode: ConsentFieldsMode): string {
  return JSON.stringify({ id: `gid://shopify/Customer/${c.id}`, email: c.email, phone: c.phone, ...consentFields(c, mode) });
}

const CHUNK_BYTES = 64 * 1024;

export class FakeBulkOperations {
  /** How long an operation runs before it completes. */
  delayMs = 200;
  /** Which consent fields export lines carry (consent-fields.ts). */
  consentFields: ConsentFieldsMode = 'both';
  /** The base URL result links point at (the fake's own URL). */
  baseUrl = '';
  private readonly operations = new Map<string, FakeBulkOperation>();
  private readonly latest = new Map<string, string>();
  private nextId = 9_100_000_001;
  private failNext: string | null = null;
  /** Result downloads, with the Range header each asked for (tests check resumption). */
  readonly downloads: Array<{ id: string; range: string | null; status: number }> = [];

  constructor(private readonly store: FakeStore) {}

  /** The next operation ends FAILED with this error code (e.g. INTERNAL_SERVER_ERROR). */
  failNextOperation(errorCode: string): void {
    this.failNext = errorCode;
  }

  create(shop: string, query: string): FakeBulkOperation {
    const id = `gid://shopify/BulkOperation/${this.nextId++}`;
    const op: FakeBulkOperation = {
      id,
      shop,
      query,
      status: 'CREATED',
      createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      completedAt: null,
      readyAt: Date.now() + this.delayMs,
      failWith: this.failNext,
      errorCode: null,
      token: randomBytes(12).toString('hex'),
      lines: null,
      bytes: 0,
    };
    this.failNext = null;
    this.operations.set(id, op);
    this.latest.set(shop, id);
    return op;
  }

  /** The operation as of now: CREATED -> RUNNING -> COMPLETED (snapshot taken) or FAILED. */
  get(shop: string, id: string): FakeBulkOperation | null {
    const op = this.operations.get(id);
    if (!op || op.shop !== shop) return null;
    if (op.status === 'CREATED') op.status = 'RUNNING';
    if (op.status === 'RUNNING' && Date.now() >= op.readyAt) {
      op.completedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      if (op.failWith) {
        op.status = 'FAILED';
        op.errorCode = op.failWith;
      } else {
        op.lines = [...this.store.shop(shop).customers.values()].map((c) => exportLine(c, this.consentFields));
        op.bytes = op.lines.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0);
        op.status = 'COMPLETED';
      }
    }
    return op;
  }

  current(shop: string): FakeBulkOperation | null {
    const id = this.latest.get(shop);
    return id ? this.get(shop, id) : null;
  }

  /** Shopify's BulkOperation object (url null when nothing matched, as Shopify does). */
  node(op: FakeBulkOperation) {
    const count = op.lines?.length ?? 0;
    return {
      __typename: 'BulkOperation',
      id: op.id,
      status: op.status,
      errorCode: op.errorCode,
      createdAt: op.createdAt,
      completedAt: op.completedAt,
      objectCount: String(count),
      rootObjectCount: String(count),
      fileSize: op.status === 'COMPLETED' ? String(op.bytes) : null,
      url: op.status === 'COMPLETED' && count > 0 ? `${this.baseUrl}/_bulk/${encodeURIComponent(op.id)}.jsonl?token=${op.token}` : null,
      partialDataUrl: null,
      query: op.query,
      type: 'QUERY',
    };
  }

  /** GET of a result file: 200 with the whole file, or 206 from a `Range: bytes=N-` offset. */
  serve(req: Request, res: Response): void {
    const id = decodeURIComponent(String(req.params.file ?? '').replace(/\.jsonl$/, ''));
    const op = this.operations.get(id);
    const range = req.get('range') ?? null;
    if (!op || !op.lines || req.query.token !== op.token) {
      this.downloads.push({ id, range, status: 403 });
      res.status(403).type('application/xml').send('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    let start = 0;
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m) start = Number(m[1]);
    if (start >= op.bytes && op.bytes > 0 && m) {
      this.downloads.push({ id, range, status: 416 });
      res.status(416).set('Content-Range', `bytes */${op.bytes}`).end();
      return;
    }
    const status = m ? 206 : 200;
    this.downloads.push({ id, range, status });
    res.status(status);
    res.set('Content-Type', 'application/jsonl');
    res.set('Accept-Ranges', 'bytes');
    res.set('Content-Length', String(op.bytes - start));
    if (m) res.set('Content-Range', `bytes ${start}-${op.bytes - 1}/${op.bytes}`);
    Readable.from(chunks(op.lines, start)).pipe(res);
  }
}

/** The file from byte `start`, in chunks of about 64 KB, built as it is read. */
function* chunks(lines: string[], start: number): Generator<Buffer> {
  let offset = 0;
  let parts: Buffer[] = [];
  let size = 0;
  for (const line of lines) {
    let buf = Buffer.from(`${line}\n`);
    const end = offset + buf.length;
    if (end <= start) {
      offset = end;
      continue;
    }
    if (offset < start) buf = buf.subarray(start - offset);
    offset = end;
    parts.push(buf);
    size += buf.length;
    if (size >= CHUNK_BYTES) {
      yield Buffer.concat(parts);
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield Buffer.concat(parts);
}
