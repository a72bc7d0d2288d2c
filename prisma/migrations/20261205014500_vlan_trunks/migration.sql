-- AlterTable: a network's VLAN protocol (802.1Q or 802.1ad) and VLAN trunk with its native VLAN
ALTER TABLE "Network" ADD COLUMN "vlanProtocol" TEXT NOT NULL DEFAULT 'DOT1Q',
ADD COLUMN "trunkVlans" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
ADD COLUMN "nativeVlan" INTEGER,
ADD COLUMN "nativeVlanMode" TEXT NOT NULL DEFAULT 'UNTAGGED';
