-- AlterTable: the VM's generation, raised by every teardown (delete included); host jobs carry it (fencing)
ALTER TABLE "Vm" ADD COLUMN "generation" INTEGER NOT NULL DEFAULT 0;
