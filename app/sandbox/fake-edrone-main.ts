// The fake edrone as its own process, for end-to-end tests that run the app as
// a real child process. Environment:
//   PORT   port to listen on (0 or unset: any free port)
// Prints one JSON line `{"url": "..."}` on stdout once listening (on 127.0.0.1);
// the control API is under /_fake/* (apps, sync-url, sync, echo, failures,
// reset, traces, state). Stops on SIGTERM or SIGINT.
import { startFakeEdrone } from './fake-edrone.js';
import { portFrom, runStandalone } from './run-standalone.js';

await runStandalone(() => startFakeEdrone({ port: portFrom(process.env.PORT), host: '127.0.0.1' }));
