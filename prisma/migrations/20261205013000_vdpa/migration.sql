-- AlterEnum
ALTER TYPE "Datapath" ADD VALUE 'VDPA';

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "capVhostVdpa" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Nic" ADD COLUMN     "vdpaVfs" BOOLEAN NOT NULL DEFAULT false;
