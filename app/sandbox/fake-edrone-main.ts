// The fake edrone as its own process, for end-to-end tests that run the app as
// a real child process. Environment:
//   PORT   port to listen on (0 or unset: any free port)
// Prints one JSON line `{"url": "..."}` on stdout once listening (on 127.0.0.1);
// the control API is under /_fake/* (apps, sync-url, sync, echo, failures,
// reset, traces, state). Stops on SIGTERM or SIGINT.
import { startFakeEdrone } from './fake-edrone.js';

function portFrom(raw: string | undefined): number {
  const port = Number(raw === undefined || raw.trim() === '' ? 0 : raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer 0-65535, got ${JSON.stringify(raw)}`);
  return port;
}

try {
  const fake = await startFakeEdrone({ port: portFrom(process.env.PORT), host: '127.0.0.1' });
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
