ALTER TABLE "ConsentState" ADD COLUMN "wroteEdroneDoneAt" TIMESTAMP(3);
