-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "HostState" AS ENUM ('REGISTERED', 'DISCOVERING', 'READY', 'MAINTENANCE', 'UNREACHABLE');

-- CreateEnum
CREATE TYPE "NetworkKind" AS ENUM ('LINUX_BRIDGE', 'OVS_BRIDGE', 'MACVTAP', 'SRIOV_PHYSNET');

-- CreateEnum
CREATE TYPE "VmState" AS ENUM ('PENDING', 'PROVISIONING', 'RUNNING', 'FAILED', 'DELETING', 'DELETED');

-- CreateEnum
CREATE TYPE "Datapath" AS ENUM ('SRIOV', 'VHOST_MACVTAP', 'VHOST_BRIDGE', 'VHOST_OVS', 'VIRTIO_USERSPACE', 'E1000', 'RTL8139');

-- CreateEnum
CREATE TYPE "CpuRole" AS ENUM ('VCPU', 'EMULATOR', 'VHOST', 'IRQ', 'ISOLATION');

-- CreateEnum
CREATE TYPE "OperationState" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('VIEWER', 'OPERATOR', 'ADMIN');

-- CreateTable
CREATE TABLE "Host" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 22,
    "sshUser" TEXT NOT NULL DEFAULT 'root',
    "credentialRef" TEXT NOT NULL,
    "hostKeyFingerprint" TEXT,
    "trustOnFirstUse" BOOLEAN NOT NULL DEFAULT false,
    "state" "HostState" NOT NULL DEFAULT 'REGISTERED',
    "stateReason" TEXT,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "cpuVendorFlags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "capVmx" BOOLEAN NOT NULL DEFAULT false,
    "capSvm" BOOLEAN NOT NULL DEFAULT false,
    "capEpt" BOOLEAN NOT NULL DEFAULT false,
    "capNpt" BOOLEAN NOT NULL DEFAULT false,
    "capIommu" BOOLEAN NOT NULL DEFAULT false,
    "capKvm" BOOLEAN NOT NULL DEFAULT false,
    "capVhostNet" BOOLEAN NOT NULL DEFAULT false,
    "capOvs" BOOLEAN NOT NULL DEFAULT false,
    "lastDiscoveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Host_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NumaNode" (
    "id" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "memoryMiB" INTEGER NOT NULL,
    "hugepages" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "NumaNode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Cpu" (
    "id" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "numaNodeId" UUID NOT NULL,
    "cpuId" INTEGER NOT NULL,
    "socket" INTEGER NOT NULL,
    "core" INTEGER NOT NULL,
    "siblings" INTEGER[],
    "reservedForHost" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "Cpu_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Nic" (
    "id" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "pciAddress" TEXT NOT NULL,
    "driver" TEXT,
    "numaNode" INTEGER,
    "speedMbps" INTEGER,
    "linkState" TEXT NOT NULL DEFAULT 'unknown',
    "combinedQueues" INTEGER NOT NULL DEFAULT 1,
    "maxCombinedQueues" INTEGER NOT NULL DEFAULT 1,
    "sriovTotalVfs" INTEGER NOT NULL DEFAULT 0,
    "sriovNumVfs" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Nic_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NicIrq" (
    "id" UUID NOT NULL,
    "nicId" UUID NOT NULL,
    "irq" INTEGER NOT NULL,
    "queue" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "affinity" INTEGER[],

    CONSTRAINT "NicIrq_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Vf" (
    "id" UUID NOT NULL,
    "nicId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "pciAddress" TEXT,
    "mac" TEXT,
    "vlan" INTEGER NOT NULL DEFAULT 0,
    "qos" INTEGER NOT NULL DEFAULT 0,
    "spoofchk" BOOLEAN NOT NULL DEFAULT true,
    "trust" BOOLEAN NOT NULL DEFAULT false,
    "linkState" TEXT NOT NULL DEFAULT 'auto',
    "minTxRateMbps" INTEGER NOT NULL DEFAULT 0,
    "maxTxRateMbps" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Vf_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Network" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "NetworkKind" NOT NULL,
    "bridge" TEXT,
    "physnet" TEXT,
    "vlan" INTEGER,
    "macvtapMode" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Network_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NetworkNic" (
    "id" UUID NOT NULL,
    "networkId" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "nicId" UUID NOT NULL,

    CONSTRAINT "NetworkNic_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Vm" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "activeName" TEXT,
    "hostId" UUID,
    "state" "VmState" NOT NULL DEFAULT 'PENDING',
    "vcpus" INTEGER NOT NULL,
    "memoryMiB" INTEGER NOT NULL,
    "numaNode" INTEGER,
    "request" JSONB NOT NULL,
    "plan" JSONB,
    "holding" BOOLEAN NOT NULL DEFAULT false,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "errorStderr" TEXT,
    "idempotencyKey" TEXT,
    "requestHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Vm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VmInterface" (
    "id" UUID NOT NULL,
    "vmId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "networkId" UUID NOT NULL,
    "datapath" "Datapath",
    "model" TEXT,
    "mac" TEXT,
    "vlan" INTEGER,
    "sourceDev" TEXT,
    "queues" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "VmInterface_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CpuAllocation" (
    "id" UUID NOT NULL,
    "cpuRowId" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "vmId" UUID NOT NULL,
    "role" "CpuRole" NOT NULL,

    CONSTRAINT "CpuAllocation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VfAllocation" (
    "id" UUID NOT NULL,
    "vfId" UUID NOT NULL,
    "vmId" UUID NOT NULL,
    "interfaceId" UUID NOT NULL,

    CONSTRAINT "VfAllocation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "state" "OperationState" NOT NULL DEFAULT 'QUEUED',
    "progress" INTEGER NOT NULL DEFAULT 0,
    "step" TEXT,
    "steps" JSONB NOT NULL DEFAULT '[]',
    "result" JSONB,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "errorStderr" TEXT,
    "idempotencyKey" TEXT,
    "requestHash" TEXT,
    "requestId" TEXT,
    "parentId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" UUID NOT NULL,
    "operationId" UUID NOT NULL,
    "queue" TEXT NOT NULL,
    "jobName" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "tokenId" TEXT,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "input" JSONB NOT NULL DEFAULT '{}',
    "result" TEXT NOT NULL,
    "requestId" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DriftEvent" (
    "id" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "vmId" UUID,
    "field" TEXT NOT NULL,
    "expected" TEXT NOT NULL,
    "actual" TEXT NOT NULL,
    "detectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "repairedAt" TIMESTAMP(3),
    "repairOpId" UUID,

    CONSTRAINT "DriftEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "prefix" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");

-- CreateIndex
CREATE UNIQUE INDEX "NumaNode_hostId_index_key" ON "NumaNode"("hostId", "index");

-- CreateIndex
CREATE INDEX "Cpu_numaNodeId_idx" ON "Cpu"("numaNodeId");

-- CreateIndex
CREATE UNIQUE INDEX "Cpu_hostId_cpuId_key" ON "Cpu"("hostId", "cpuId");

-- CreateIndex
CREATE UNIQUE INDEX "Nic_hostId_name_key" ON "Nic"("hostId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Nic_hostId_pciAddress_key" ON "Nic"("hostId", "pciAddress");

-- CreateIndex
CREATE UNIQUE INDEX "NicIrq_nicId_irq_key" ON "NicIrq"("nicId", "irq");

-- CreateIndex
CREATE UNIQUE INDEX "Vf_nicId_index_key" ON "Vf"("nicId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "Network_name_key" ON "Network"("name");

-- CreateIndex
CREATE INDEX "NetworkNic_hostId_idx" ON "NetworkNic"("hostId");

-- CreateIndex
CREATE UNIQUE INDEX "NetworkNic_networkId_nicId_key" ON "NetworkNic"("networkId", "nicId");

-- CreateIndex
CREATE UNIQUE INDEX "Vm_activeName_key" ON "Vm"("activeName");

-- CreateIndex
CREATE UNIQUE INDEX "Vm_idempotencyKey_key" ON "Vm"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Vm_hostId_state_idx" ON "Vm"("hostId", "state");

-- CreateIndex
CREATE INDEX "Vm_hostId_holding_idx" ON "Vm"("hostId", "holding");

-- CreateIndex
CREATE INDEX "Vm_name_idx" ON "Vm"("name");

-- CreateIndex
CREATE UNIQUE INDEX "VmInterface_vmId_index_key" ON "VmInterface"("vmId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "CpuAllocation_cpuRowId_key" ON "CpuAllocation"("cpuRowId");

-- CreateIndex
CREATE INDEX "CpuAllocation_vmId_idx" ON "CpuAllocation"("vmId");

-- CreateIndex
CREATE INDEX "CpuAllocation_hostId_idx" ON "CpuAllocation"("hostId");

-- CreateIndex
CREATE UNIQUE INDEX "VfAllocation_vfId_key" ON "VfAllocation"("vfId");

-- CreateIndex
CREATE UNIQUE INDEX "VfAllocation_interfaceId_key" ON "VfAllocation"("interfaceId");

-- CreateIndex
CREATE INDEX "VfAllocation_vmId_idx" ON "VfAllocation"("vmId");

-- CreateIndex
CREATE UNIQUE INDEX "Operation_idempotencyKey_key" ON "Operation"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Operation_targetType_targetId_idx" ON "Operation"("targetType", "targetId");

-- CreateIndex
CREATE INDEX "Operation_state_idx" ON "Operation"("state");

-- CreateIndex
CREATE INDEX "Operation_parentId_idx" ON "Operation"("parentId");

-- CreateIndex
CREATE INDEX "OutboxMessage_sentAt_idx" ON "OutboxMessage"("sentAt");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_targetType_targetId_idx" ON "AuditEvent"("targetType", "targetId");

-- CreateIndex
CREATE INDEX "DriftEvent_hostId_detectedAt_idx" ON "DriftEvent"("hostId", "detectedAt");

-- CreateIndex
CREATE INDEX "DriftEvent_vmId_idx" ON "DriftEvent"("vmId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_name_key" ON "ApiToken"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_prefix_key" ON "ApiToken"("prefix");

-- AddForeignKey
ALTER TABLE "NumaNode" ADD CONSTRAINT "NumaNode_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Cpu" ADD CONSTRAINT "Cpu_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Cpu" ADD CONSTRAINT "Cpu_numaNodeId_fkey" FOREIGN KEY ("numaNodeId") REFERENCES "NumaNode"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Nic" ADD CONSTRAINT "Nic_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NicIrq" ADD CONSTRAINT "NicIrq_nicId_fkey" FOREIGN KEY ("nicId") REFERENCES "Nic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vf" ADD CONSTRAINT "Vf_nicId_fkey" FOREIGN KEY ("nicId") REFERENCES "Nic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NetworkNic" ADD CONSTRAINT "NetworkNic_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NetworkNic" ADD CONSTRAINT "NetworkNic_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NetworkNic" ADD CONSTRAINT "NetworkNic_nicId_fkey" FOREIGN KEY ("nicId") REFERENCES "Nic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vm" ADD CONSTRAINT "Vm_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VmInterface" ADD CONSTRAINT "VmInterface_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VmInterface" ADD CONSTRAINT "VmInterface_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CpuAllocation" ADD CONSTRAINT "CpuAllocation_cpuRowId_fkey" FOREIGN KEY ("cpuRowId") REFERENCES "Cpu"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CpuAllocation" ADD CONSTRAINT "CpuAllocation_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CpuAllocation" ADD CONSTRAINT "CpuAllocation_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VfAllocation" ADD CONSTRAINT "VfAllocation_vfId_fkey" FOREIGN KEY ("vfId") REFERENCES "Vf"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VfAllocation" ADD CONSTRAINT "VfAllocation_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VfAllocation" ADD CONSTRAINT "VfAllocation_interfaceId_fkey" FOREIGN KEY ("interfaceId") REFERENCES "VmInterface"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Operation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboxMessage" ADD CONSTRAINT "OutboxMessage_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;


