ALTER TABLE "ConsentState" ADD COLUMN "wroteEdroneDoneAt" DATETIME;
