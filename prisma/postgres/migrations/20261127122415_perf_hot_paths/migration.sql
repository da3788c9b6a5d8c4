-- CreateIndex
CREATE INDEX "InboundEvent_shopId_source_receivedAt_idx" ON "InboundEvent"("shopId", "source", "receivedAt");

-- CreateTable
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL,
    "tatMs" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("key")
);
