-- AlterEnum
ALTER TYPE "VmState" ADD VALUE 'MIGRATING';

-- AlterTable
ALTER TABLE "CpuAllocation" ADD COLUMN     "migrationId" UUID;

-- AlterTable
ALTER TABLE "VfAllocation" ADD COLUMN     "migrationId" UUID,
ALTER COLUMN "interfaceId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "VmMigration" (
    "id" UUID NOT NULL,
    "vmId" UUID NOT NULL,
    "sourceHostId" UUID NOT NULL,
    "targetHostId" UUID NOT NULL,
    "strategy" TEXT NOT NULL,
    "targetPlan" JSONB NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "outcome" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "VmMigration_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "VmMigration_vmId_active_idx" ON "VmMigration"("vmId", "active");

-- CreateIndex
CREATE INDEX "VmMigration_targetHostId_active_idx" ON "VmMigration"("targetHostId", "active");

-- AddForeignKey
ALTER TABLE "CpuAllocation" ADD CONSTRAINT "CpuAllocation_migrationId_fkey" FOREIGN KEY ("migrationId") REFERENCES "VmMigration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VfAllocation" ADD CONSTRAINT "VfAllocation_migrationId_fkey" FOREIGN KEY ("migrationId") REFERENCES "VmMigration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VmMigration" ADD CONSTRAINT "VmMigration_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A migration's target plan is part of what placement sees (its memory, hugepages and
-- bandwidth are counted from targetPlan while active): record the target host as changed.
CREATE TRIGGER "VmMigration_placement_ins" AFTER INSERT ON "VmMigration" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "targetHostId" FROM changed');
CREATE TRIGGER "VmMigration_placement_upd" AFTER UPDATE ON "VmMigration" REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "targetHostId" FROM changed UNION ALL SELECT "targetHostId" FROM changed_old');
CREATE TRIGGER "VmMigration_placement_del" AFTER DELETE ON "VmMigration" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "targetHostId" FROM changed');
