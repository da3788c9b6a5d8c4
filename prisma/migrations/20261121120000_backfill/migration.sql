-- CreateTable
CREATE TABLE "BackfillRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "activeKey" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "phase" TEXT NOT NULL DEFAULT 'exporting',
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "jobId" TEXT,
    "bulkOperationId" TEXT,
    "resultUrl" TEXT,
    "objectCount" INTEGER,
    "lineOffset" INTEGER NOT NULL DEFAULT 0,
    "byteOffset" BIGINT NOT NULL DEFAULT 0,
    "read" INTEGER NOT NULL DEFAULT 0,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ReconcileRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "activeKey" TEXT,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "since" DATETIME NOT NULL,
    "queryFrom" DATETIME,
    "cursor" TEXT,
    "queryCount" INTEGER NOT NULL DEFAULT 0,
    "jobId" TEXT,
    "checked" INTEGER NOT NULL DEFAULT 0,
    "repaired" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "BackfillRun_activeKey_key" ON "BackfillRun"("activeKey");

-- CreateIndex
CREATE INDEX "BackfillRun_shopId_startedAt_idx" ON "BackfillRun"("shopId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ReconcileRun_activeKey_key" ON "ReconcileRun"("activeKey");

-- CreateIndex
CREATE INDEX "ReconcileRun_shopId_startedAt_idx" ON "ReconcileRun"("shopId", "startedAt");

