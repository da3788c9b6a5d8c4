ALTER TABLE "ConsentState" ADD COLUMN "wroteEdroneOtherWallAt" DATETIME;
ALTER TABLE "ConsentState" ADD COLUMN "wroteEdroneSeriesAt" DATETIME;
