ALTER TABLE "ConsentState" ADD COLUMN "wroteEdroneOtherWallAt" TIMESTAMP(3);
ALTER TABLE "ConsentState" ADD COLUMN "wroteEdroneSeriesAt" TIMESTAMP(3);
