-- AlterTable: requests refused by a guard (401/403/429) are audited as one row per caller, code and minute with a count
ALTER TABLE "AuditEvent" ADD COLUMN "count" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN "address" TEXT,
ADD COLUMN "bucket" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_bucket_key" ON "AuditEvent"("bucket");
