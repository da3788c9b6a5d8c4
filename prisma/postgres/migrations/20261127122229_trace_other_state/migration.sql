ALTER TABLE "ConsentState" ADD COLUMN "wroteEdroneOtherWallAt" TIMESTAMP(3);
