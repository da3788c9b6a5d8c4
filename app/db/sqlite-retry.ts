// The driver's SQLite connection never waits inside SQLite (busy_timeout 0):
// that would stop the event loop while Prisma's connection, in this same
// process, holds the write lock. A busy file is retried here instead.

export async function withoutBlocking<T>(run: () => T): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return run();
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 200) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(25, 1 + attempt)));
    }
  }
}
