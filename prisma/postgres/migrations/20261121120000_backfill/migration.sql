-- CreateTable
CREATE TABLE "BackfillRun" (
    "id" TEXT NOT NULL,
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
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BackfillRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReconcileRun" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "activeKey" TEXT,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "since" TIMESTAMP(3) NOT NULL,
    "queryFrom" TIMESTAMP(3),
    "cursor" TEXT,
    "queryCount" INTEGER NOT NULL DEFAULT 0,
    "jobId" TEXT,
    "checked" INTEGER NOT NULL DEFAULT 0,
    "repaired" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReconcileRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BackfillRun_activeKey_key" ON "BackfillRun"("activeKey");

-- CreateIndex
CREATE INDEX "BackfillRun_shopId_startedAt_idx" ON "BackfillRun"("shopId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ReconcileRun_activeKey_key" ON "ReconcileRun"("activeKey");

-- CreateIndex
CREATE INDEX "ReconcileRun_shopId_startedAt_idx" ON "ReconcileRun"("shopId", "startedAt");

