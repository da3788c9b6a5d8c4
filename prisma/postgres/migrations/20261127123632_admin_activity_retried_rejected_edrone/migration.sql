-- AlterTable
ALTER TABLE "Activity" ADD COLUMN "retried" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "RejectedEdroneRequest" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "httpStatus" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RejectedEdroneRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RejectedEdroneRequest_shopId_receivedAt_idx" ON "RejectedEdroneRequest"("shopId", "receivedAt");
