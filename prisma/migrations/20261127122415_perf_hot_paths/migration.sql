-- CreateIndex
CREATE INDEX "InboundEvent_shopId_source_receivedAt_idx" ON "InboundEvent"("shopId", "source", "receivedAt");

-- CreateTable
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "tatMs" REAL NOT NULL
);
