-- The claim takes each shop's oldest due jobs through this index instead of ranking every due job.
-- DropIndex
DROP INDEX "Job_shopId_status_idx";

-- CreateIndex
CREATE INDEX "Job_status_shopId_runAt_idx" ON "Job"("status", "shopId", "runAt");
