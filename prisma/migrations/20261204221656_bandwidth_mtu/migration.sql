-- AlterTable: a NIC's MTU and the most its driver takes (ip -d link maxmtu), for networks with jumbo frames
ALTER TABLE "Nic" ADD COLUMN "mtu" INTEGER,
ADD COLUMN "maxMtu" INTEGER;

-- AlterTable: a network's MTU (null = the host's default)
ALTER TABLE "Network" ADD COLUMN "mtu" INTEGER;
