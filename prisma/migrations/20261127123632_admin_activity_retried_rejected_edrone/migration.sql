-- AlterTable
ALTER TABLE "Activity" ADD COLUMN "retried" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "RejectedEdroneRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "httpStatus" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "RejectedEdroneRequest_shopId_receivedAt_idx" ON "RejectedEdroneRequest"("shopId", "receivedAt");
