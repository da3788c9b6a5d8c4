// A customer's consent timeline (JSON) and the consent-history CSV export,
// streamed: each batch is written only when the socket has drained the last.
import { once } from 'node:events';
import { Router } from 'express';
import { consentHistoryCsvQuery, customerConsentQuery } from '../../api-contract/index.js';
import type { AppContext } from '../../context.js';
import { countHistory, customerConsentHistory, historyCsvChunks, historyExportFilter } from '../../sync/index.js';
import { parseInput } from '../parse-input.js';

export function consentHistoryRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/customers/consent', async (req, res) => {
    const q = parseInput(customerConsentQuery, req.query);
    res.json(await customerConsentHistory(ctx, res.locals.shopId, q.customer));
  });

  router.get('/consent-history.csv', async (req, res) => {
    const q = parseInput(consentHistoryCsvQuery, req.query);
    const filter = await historyExportFilter(ctx.data, res.locals.shopId, q);
    const total = await countHistory(ctx.data, filter);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="consent-history-${new Date().toISOString().slice(0, 10)}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    // Rows expected, so the admin can show progress while the body streams.
    res.setHeader('X-Total-Rows', String(total));
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    try {
      for await (const chunk of historyCsvChunks(ctx.data, filter)) {
        if (closed) return;
        if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
      res.end();
    } catch (e) {
      // Headers are sent: the only honest signal left is a broken download.
      ctx.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'consent history export failed');
      res.destroy(e instanceof Error ? e : undefined);
    }
  });

  return router;
}
