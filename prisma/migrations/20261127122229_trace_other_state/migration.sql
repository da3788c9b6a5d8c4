ALTER TABLE "ConsentState" ADD COLUMN "wroteEdroneOtherWallAt" DATETIME;
