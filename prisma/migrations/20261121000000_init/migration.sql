-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN,
    "locale" TEXT,
    "collaborator" BOOLEAN,
    "emailVerified" BOOLEAN,
    "refreshToken" TEXT,
    "refreshTokenExpires" DATETIME
);

-- CreateTable
CREATE TABLE "Shop" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "syncToken" TEXT NOT NULL,
    "edroneAppId" TEXT,
    "edroneAppSecretEnc" TEXT,
    "direction" TEXT NOT NULL DEFAULT 'both',
    "edroneStatuses" TEXT NOT NULL DEFAULT 'all',
    "syncEmail" BOOLEAN NOT NULL DEFAULT true,
    "syncSms" BOOLEAN NOT NULL DEFAULT true,
    "createMissingCustomers" BOOLEAN NOT NULL DEFAULT false,
    "reconcileIntervalMinutes" INTEGER NOT NULL DEFAULT 360,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "pausedUntil" DATETIME,
    "blockedReason" TEXT,
    "lastShopifyEventAt" DATETIME,
    "lastEdroneEventAt" DATETIME,
    "lastReconciledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "InboundEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ConsentState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "shopifyCustomerId" TEXT,
    "truthState" TEXT,
    "truthAt" DATETIME,
    "truthSource" TEXT,
    "shopifyState" TEXT,
    "shopifyAt" DATETIME,
    "edroneState" TEXT,
    "edroneAt" DATETIME,
    "wroteShopifyState" TEXT,
    "wroteShopifyAt" DATETIME,
    "wroteShopifyWallAt" DATETIME,
    "wroteEdroneState" TEXT,
    "wroteEdroneAt" DATETIME,
    "wroteEdroneWallAt" DATETIME,
    "tracedSubscribedWallAt" DATETIME,
    "tracedUnsubscribedWallAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseUntil" DATETIME,
    "lockedBy" TEXT,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Activity" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "jobId" TEXT,
    "eventId" TEXT,
    "origin" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "identity" TEXT,
    "customerId" TEXT,
    "previousState" TEXT,
    "newState" TEXT,
    "result" TEXT NOT NULL,
    "reason" TEXT,
    "reasonCode" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ComplianceRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "customer" TEXT,
    "report" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "Shop_syncToken_key" ON "Shop"("syncToken");

-- CreateIndex
CREATE INDEX "InboundEvent_shopId_receivedAt_idx" ON "InboundEvent"("shopId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_shopId_source_dedupeKey_key" ON "InboundEvent"("shopId", "source", "dedupeKey");

-- CreateIndex
CREATE INDEX "ConsentState_shopId_shopifyCustomerId_idx" ON "ConsentState"("shopId", "shopifyCustomerId");

-- CreateIndex
CREATE UNIQUE INDEX "ConsentState_shopId_channel_identity_key" ON "ConsentState"("shopId", "channel", "identity");

-- CreateIndex
CREATE INDEX "Job_status_runAt_idx" ON "Job"("status", "runAt");

-- CreateIndex
CREATE INDEX "Job_shopId_status_idx" ON "Job"("shopId", "status");

-- CreateIndex
CREATE INDEX "Activity_shopId_createdAt_idx" ON "Activity"("shopId", "createdAt");

-- CreateIndex
CREATE INDEX "ComplianceRequest_shopId_createdAt_idx" ON "ComplianceRequest"("shopId", "createdAt");

