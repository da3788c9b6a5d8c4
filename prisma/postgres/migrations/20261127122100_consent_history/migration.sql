-- CreateTable
CREATE TABLE "ConsentHistory" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "customerId" TEXT,
    "eventId" TEXT,
    "source" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "observedState" TEXT,
    "eventAt" TIMESTAMP(3),
    "reasonCode" TEXT,
    "reasonName" TEXT,
    "reasonWords" TEXT,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "writtenState" TEXT,
    "optInLevel" TEXT,
    "detail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentHistory_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ConsentHistory_shopId_identity_createdAt_idx" ON "ConsentHistory"("shopId", "identity", "createdAt");

-- CreateIndex
CREATE INDEX "ConsentHistory_shopId_customerId_idx" ON "ConsentHistory"("shopId", "customerId");

-- CreateIndex
CREATE INDEX "ConsentHistory_shopId_createdAt_id_idx" ON "ConsentHistory"("shopId", "createdAt", "id");
