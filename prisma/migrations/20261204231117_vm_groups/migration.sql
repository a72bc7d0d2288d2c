-- CreateEnum
CREATE TYPE "GroupPolicy" AS ENUM ('AFFINITY', 'ANTI_AFFINITY');

-- CreateEnum
CREATE TYPE "GroupEnforcement" AS ENUM ('HARD', 'SOFT');

-- AlterTable
ALTER TABLE "Vm" ADD COLUMN     "groupId" UUID;

-- CreateTable
CREATE TABLE "VmGroup" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "policy" "GroupPolicy" NOT NULL,
    "enforcement" "GroupEnforcement" NOT NULL DEFAULT 'HARD',
    "maxPerHost" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VmGroup_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "VmGroup_name_key" ON "VmGroup"("name");

-- CreateIndex
CREATE INDEX "Vm_groupId_idx" ON "Vm"("groupId");

-- AddForeignKey
ALTER TABLE "Vm" ADD CONSTRAINT "Vm_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "VmGroup"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Placement reads the groups (FleetSnapshot.groups): a group created or deleted changes what
-- every host may answer, so it bumps the generation and records no single host (a full read).
CREATE TRIGGER "VmGroup_placement_changed" AFTER INSERT OR UPDATE OR DELETE ON "VmGroup" FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('*');
