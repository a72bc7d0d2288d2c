-- CreateIndex
CREATE INDEX "VmInterface_mac_idx" ON "VmInterface"("mac");


