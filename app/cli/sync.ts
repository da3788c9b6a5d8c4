// `npm run sync -- <backfill|reconcile|status> --shop <shop.myshopify.com> [--sandbox]`
//
//   backfill   runs the initial sync of every existing customer in this process
//              (or continues the one already running), printing progress every second
//   reconcile  runs one reconciliation now, printing progress every second
//   status     settings summary, last initial sync, last reconciliation, job counts
//
// Uses the app's configuration (environment, DATABASE_URL) and its job worker:
// the run goes through the job queue exactly as in the app, so stopping this
// command (Ctrl-C) saves the progress and the app's worker, or this command run
// again, continues it. It first prints the database and the Shopify and edrone endpoints it uses;
// while the sandbox runs it uses the sandbox's (cli-config.ts). Progress on stdout; logs go to
// stderr (LOG_LEVEL, default warn here), so they never mix into the progress lines.
// Exit codes: 0 done, 1 error (or the run ended failed / cancelled), 2 usage.
import { ConfigError, describeEndpoints } from '../config.js';
import { CliSetupError, cliSetup } from './cli-config.js';
import { createContext, type AppContext } from '../context.js';
import { createLogger } from '../logger.js';
import { settingsOf } from '../db/index.js';
import { BackfillConflictError, backfillView, enqueueReconcile, ReconcileConflictError, reconcileView, startBackfill } from '../sync/index.js';

const USAGE = `usage: npm run sync -- <command> --shop <shop.myshopify.com> [--sandbox]

commands:
  backfill    initial sync of every existing customer (continues a running one)
  reconcile   one reconciliation of the customers changed since the last one
  status      settings, last initial sync, last reconciliation, queued and failed jobs

options:
  --sandbox   use the running sandbox's database and stand-ins (data/sandbox.json); used
              without it too when no Shopify credentials and no DATABASE_URL are set

exit codes: 0 ok, 1 error, 2 usage`;

type Command = 'backfill' | 'reconcile' | 'status';

class UsageError extends Error {}

export function parseArgs(argv: string[]): { command: Command; shop: string; sandbox?: true } | 'help' {
  let command: string | undefined;
  let shop: string | undefined;
  let sandbox = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--sandbox') sandbox = true;
    else if (a === '--shop') {
      shop = argv[++i];
      if (shop === undefined) throw new UsageError('--shop needs a value');
    } else if (a.startsWith('--shop=')) shop = a.slice('--shop='.length);
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (command === undefined) command = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (!command) throw new UsageError('a command is required');
  if (command !== 'backfill' && command !== 'reconcile' && command !== 'status') throw new UsageError(`unknown command ${command}`);
  if (!shop || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i.test(shop.trim())) throw new UsageError('--shop must be a shop domain like my-store.myshopify.com');
  return { command, shop: shop.trim().toLowerCase(), ...(sandbox ? { sandbox: true as const } : {}) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const time = () => new Date().toISOString().slice(11, 19);
const when = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 19) + 'Z' : '-');
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
/** Resident memory once the app is loaded (Prisma, Shopify library): the baseline of the peak. */
let startRss = 0;
const memory = () => `peak RSS ${mb(process.resourceUsage().maxRSS)} (after start-up ${mb(startRss / 1024)})`;

/**
 * Runs the worker until `finished` reports the run ended, printing `progress()` every second.
 * Jobs of other shops that are due run too: this process is a worker like any other.
 */
async function drive(ctx: AppContext, finished: () => Promise<boolean>, progress: () => Promise<string>): Promise<void> {
  let printing = Promise.resolve();
  const timer = setInterval(() => {
    printing = printing.then(async () => console.log(await progress())).catch(() => {});
  }, 1000);
  try {
    for (;;) {
      await ctx.worker.drain({ timeoutMs: 7 * 24 * 3600_000 });
      if (await finished()) break;
      await sleep(Math.min(ctx.config.backfill.pollMs, 250));
    }
  } finally {
    clearInterval(timer);
    await printing;
  }
}

async function backfill(ctx: AppContext, shopId: string): Promise<number> {
  const runs = ctx.data.backfillRuns;
  let run = await runs.active(shopId);
  if (run) console.log(`${time()} continuing the initial sync started ${when(run.startedAt)} (run ${run.id})`);
  else {
    try {
      run = await startBackfill(ctx.data, shopId);
      console.log(`${time()} initial sync started (run ${run.id})`);
    } catch (e) {
      if (!(e instanceof BackfillConflictError)) throw e;
      run = await runs.active(shopId);
      if (!run) throw e;
    }
  }
  const id = run.id;
  const line = async () => {
    const r = backfillView(await runs.get(id));
    const total = r.total !== null ? `/${r.total}` : '';
    return `${time()} backfill ${r.status} phase=${r.phase} read=${r.read}${total} sent=${r.sent} skipped=${r.skipped} failed=${r.failed}`;
  };
  const started = Date.now();
  await drive(ctx, async () => (await runs.get(id)).status !== 'running', line);
  const r = backfillView(await runs.get(id));
  console.log(await line());
  console.log(
    `${time()} initial sync ${r.status} in ${((Date.now() - started) / 1000).toFixed(1)} s: read ${r.read}, sent ${r.sent}, skipped ${r.skipped}, failed ${r.failed}` +
      `${r.error ? ` (${r.error})` : ''}; ${memory()}`,
  );
  return r.status === 'completed' ? 0 : 1;
}

async function reconcile(ctx: AppContext, shopId: string): Promise<number> {
  const runs = ctx.data.reconcileRuns;
  let run;
  try {
    run = await enqueueReconcile(ctx.data, shopId, 'cli');
    if (!run) throw new Error('the reconciliation was not queued');
    console.log(`${time()} reconciliation started: customers changed since ${when(run.since)} (run ${run.id})`);
  } catch (e) {
    if (!(e instanceof ReconcileConflictError)) throw e;
    run = await runs.active(shopId);
    if (!run) throw e;
    console.log(`${time()} continuing the reconciliation started ${when(run.startedAt)} (run ${run.id})`);
  }
  const id = run.id;
  const line = async () => {
    const r = await runs.get(id);
    return `${time()} reconcile ${r.status} checked=${r.checked} repaired=${r.repaired} failed=${r.failed}`;
  };
  const started = Date.now();
  await drive(ctx, async () => (await runs.get(id)).status !== 'running', line);
  const r = await runs.get(id);
  console.log(await line());
  console.log(
    `${time()} reconciliation ${r.status} in ${((Date.now() - started) / 1000).toFixed(1)} s: checked ${r.checked}, repaired ${r.repaired}, failed ${r.failed}` +
      `${r.error ? ` (${r.error})` : ''}; ${memory()}`,
  );
  return r.status === 'completed' ? 0 : 1;
}

async function status(ctx: AppContext, shopId: string): Promise<number> {
  const shop = await ctx.data.shops.get(shopId);
  const s = settingsOf(shop);
  const [bf, rv, jobs, last] = await Promise.all([
    ctx.data.backfillRuns.latest(shopId),
    reconcileView(ctx.data, shopId),
    ctx.queue.countsByKind(shopId),
    ctx.data.events.lastReceived(shopId),
  ]);
  const count = (status: string) => jobs.filter((j) => j.status === status).reduce((n, j) => n + j.count, 0);
  const byKind = (status: string) =>
    jobs
      .filter((j) => j.status === status)
      .map((j) => `${j.kind} ${j.count}`)
      .join(', ');
  const out = [
    `shop            ${shop.id}${shop.uninstalledAt ? ` (uninstalled ${when(shop.uninstalledAt)})` : ''}`,
    `edrone          App ID ${shop.edroneAppId ?? '(not set)'}, App Secret ${shop.edroneAppSecretEnc ? 'set' : '(not set)'}`,
    `sync            direction ${s.direction}, edrone statuses ${s.edroneStatuses}, email ${s.channels.email ? 'on' : 'off'}, SMS ${s.channels.sms ? 'on' : 'off'}, create missing customers ${s.createMissingCustomers ? 'on' : 'off'}`,
    `access          ${shop.blockedReason ? `blocked: ${shop.blockedReason}` : 'ok'}${shop.pausedUntil && shop.pausedUntil > new Date() ? `, paused until ${when(shop.pausedUntil)}` : ''}`,
    `last events     Shopify ${when(last.shopify)}, edrone ${when(last.edrone)}`,
    bf
      ? `initial sync    ${bf.status} (${bf.phase}) started ${when(bf.startedAt)}, finished ${when(bf.finishedAt)}: read ${bf.read}${bf.objectCount !== null ? `/${bf.objectCount}` : ''}, sent ${bf.sent}, skipped ${bf.skipped}, failed ${bf.failed}${bf.error ? ` (${bf.error})` : ''}`
      : 'initial sync    never run (npm run sync -- backfill --shop ' + shop.id + ')',
    `reconciliation  every ${rv.intervalMinutes} min, last started ${when(rv.lastRunAt)}, next ${when(rv.nextRunAt)}${rv.running ? ', running now' : ''}`,
    rv.lastRun
      ? `last reconcile  ${rv.lastRun.status} ${when(rv.lastRun.at)}: checked ${rv.lastRun.checked}, repaired ${rv.lastRun.repaired}, failed ${rv.lastRun.failed}${rv.lastRun.error ? ` (${rv.lastRun.error})` : ''}`
      : 'last reconcile  never',
    `jobs            queued ${count('queued')}${count('queued') ? ` (${byKind('queued')})` : ''}, running ${count('running')}, dead ${count('dead')}${count('dead') ? ` (${byKind('dead')})` : ''}`,
  ];
  console.log(out.join('\n'));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  let ctx: AppContext | null = null;
  let stop: (() => void) | null = null;
  try {
    const setup = cliSetup(process.env, { sandbox: args.sandbox === true });
    const { config } = setup;
    for (const note of setup.notes) console.error(note);
    console.log(setup.lines.join('\n'));
    const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', { fd: 2 });
    ctx = await createContext(config, { logger, workerId: `cli-${process.pid}` });
    logger.info({ command: args.command, shop: args.shop, ...describeEndpoints(config) }, 'sync command started');
    startRss = process.memoryUsage().rss;
    const shop = await ctx.data.shops.find(args.shop);
    if (!shop) {
      console.error(
        `Unknown shop ${args.shop} in this database: the app is not installed there (open the app from that store's admin first)` +
          `${args.sandbox ? '' : ", or it is the sandbox's shop and the sandbox is not running (npm start, then --sandbox)"}.`,
      );
      return 1;
    }
    const context = ctx;
    stop = () => {
      console.error(`\n${time()} stopping: the run's progress is saved; it continues in the app's worker or when this command runs again.`);
      void context.close().finally(() => process.exit(1));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (args.command === 'backfill') return await backfill(ctx, shop.id);
    if (args.command === 'reconcile') return await reconcile(ctx, shop.id);
    return await status(ctx, shop.id);
  } catch (e) {
    console.error(e instanceof ConfigError || e instanceof CliSetupError ? e.message : `error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    if (stop) {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    await ctx?.close().catch(() => {});
  }
}

// Run when executed (not when imported by a test).
if (process.argv[1] && /cli[\\/]sync\.(ts|js)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
