-- CreateTable
CREATE TABLE "ConsentHistory" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "customerId" TEXT,
    "eventId" TEXT,
    "source" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "observedState" TEXT,
    "eventAt" DATETIME,
    "reasonCode" TEXT,
    "reasonName" TEXT,
    "reasonWords" TEXT,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "writtenState" TEXT,
    "optInLevel" TEXT,
    "detail" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "ConsentHistory_shopId_identity_createdAt_idx" ON "ConsentHistory"("shopId", "identity", "createdAt");

-- CreateIndex
CREATE INDEX "ConsentHistory_shopId_customerId_idx" ON "ConsentHistory"("shopId", "customerId");

-- CreateIndex
CREATE INDEX "ConsentHistory_shopId_createdAt_id_idx" ON "ConsentHistory"("shopId", "createdAt", "id");
