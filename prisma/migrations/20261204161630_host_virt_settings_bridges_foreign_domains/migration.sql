-- CreateEnum
CREATE TYPE "VirtType" AS ENUM ('KVM', 'QEMU');

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "bridges" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "foreignDomains" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "guestCpu" JSONB NOT NULL DEFAULT '{"mode":"HOST_PASSTHROUGH","model":null,"features":[]}',
ADD COLUMN     "virtType" "VirtType" NOT NULL DEFAULT 'KVM';
