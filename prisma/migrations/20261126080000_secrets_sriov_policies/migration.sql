-- CreateEnum
CREATE TYPE "SriovTargetState" AS ENUM ('PENDING', 'CONVERGED', 'BLOCKED', 'FAILED');

-- AlterTable
ALTER TABLE "Nic" ADD COLUMN     "deviceId" TEXT,
ADD COLUMN     "vendorId" TEXT;

-- CreateTable
CREATE TABLE "SshSecret" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "iv" BYTEA NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "authTag" BYTEA NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SshSecret_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SriovPolicy" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "hostNamePattern" TEXT,
    "hostLabels" JSONB NOT NULL DEFAULT '{}',
    "pfNamePattern" TEXT,
    "driver" TEXT,
    "vendorId" TEXT,
    "deviceId" TEXT,
    "numVfs" INTEGER NOT NULL,
    "spoofchk" BOOLEAN NOT NULL DEFAULT true,
    "trust" BOOLEAN NOT NULL DEFAULT false,
    "linkState" TEXT NOT NULL DEFAULT 'auto',
    "maxTxRateMbps" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SriovPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SriovPolicyTarget" (
    "id" UUID NOT NULL,
    "policyId" UUID NOT NULL,
    "nicId" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "state" "SriovTargetState" NOT NULL DEFAULT 'PENDING',
    "reason" TEXT,
    "blockedBy" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "operationId" UUID,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SriovPolicyTarget_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SshSecret_name_key" ON "SshSecret"("name");

-- CreateIndex
CREATE UNIQUE INDEX "SriovPolicy_name_key" ON "SriovPolicy"("name");

-- CreateIndex
CREATE INDEX "SriovPolicyTarget_hostId_idx" ON "SriovPolicyTarget"("hostId");

-- CreateIndex
CREATE UNIQUE INDEX "SriovPolicyTarget_policyId_nicId_key" ON "SriovPolicyTarget"("policyId", "nicId");

-- AddForeignKey
ALTER TABLE "SriovPolicyTarget" ADD CONSTRAINT "SriovPolicyTarget_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "SriovPolicy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SriovPolicyTarget" ADD CONSTRAINT "SriovPolicyTarget_nicId_fkey" FOREIGN KEY ("nicId") REFERENCES "Nic"("id") ON DELETE CASCADE ON UPDATE CASCADE;


