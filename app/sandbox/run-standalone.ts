// Runs a stand-in as its own process: announce its URL as one JSON line on
// stdout, stop cleanly on SIGTERM or SIGINT, exit 1 with the reason on errors.

export function portFrom(raw: string | undefined): number {
  const port = Number(raw === undefined || raw.trim() === '' ? 0 : raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer 0-65535, got ${JSON.stringify(raw)}`);
  return port;
}

export async function runStandalone(start: () => Promise<{ url: string; close(): Promise<void> }>): Promise<void> {
  try {
    const fake = await start();
    process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      fake.close().then(
        () => process.exit(0),
        (e: unknown) => {
          console.error(e);
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
