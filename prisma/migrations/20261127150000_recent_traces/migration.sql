ALTER TABLE "ConsentState" ADD COLUMN "recentTraces" TEXT;
