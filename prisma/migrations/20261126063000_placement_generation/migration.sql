-- CreateTable
CREATE TABLE "PlacementState" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "generation" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "PlacementState_pkey" PRIMARY KEY ("id")
);

INSERT INTO "PlacementState" ("id", "generation") VALUES (1, 0);

-- Every statement that changes what placement sees bumps the generation. The UPDATE also
-- takes the row's lock until commit, so such transactions are serialised with each other
-- and with placement (which locks the row first with SELECT ... FOR UPDATE).
CREATE FUNCTION netpin_bump_placement_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "PlacementState" SET "generation" = "generation" + 1 WHERE "id" = 1;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Host_placement_generation" AFTER INSERT OR UPDATE OR DELETE ON "Host" FOR EACH STATEMENT EXECUTE FUNCTION netpin_bump_placement_generation();
CREATE TRIGGER "NumaNode_placement_generation" AFTER INSERT OR UPDATE OR DELETE ON "NumaNode" FOR EACH STATEMENT EXECUTE FUNCTION netpin_bump_placement_generation();
CREATE TRIGGER "Cpu_placement_generation" AFTER INSERT OR UPDATE OR DELETE ON "Cpu" FOR EACH STATEMENT EXECUTE FUNCTION netpin_bump_placement_generation();
CREATE TRIGGER "Nic_placement_generation" AFTER INSERT OR UPDATE OR DELETE ON "Nic" FOR EACH STATEMENT EXECUTE FUNCTION netpin_bump_placement_generation();
CREATE TRIGGER "NicIrq_placement_generation" AFTER INSERT OR UPDATE OR DELETE ON "NicIrq" FOR EACH STATEMENT EXECUTE FUNCTION netpin_bump_placement_generation();
CREATE TRIGGER "Vf_placement_generation" AFTER INSERT OR UPDATE OR DELETE ON "Vf" FOR EACH STATEMENT EXECUTE FUNCTION netpin_bump_placement_generation();
CREATE TRIGGER "Network_placement_generation" AFTER INSERT OR UPDATE OR DELETE ON "Network" FOR EACH STATEMENT EXECUTE FUNCTION netpin_bump_placement_generation();
CREATE TRIGGER "NetworkNic_placement_generation" AFTER INSERT OR UPDATE OR DELETE ON "NetworkNic" FOR EACH STATEMENT EXECUTE FUNCTION netpin_bump_placement_generation();
CREATE TRIGGER "CpuAllocation_placement_generation" AFTER INSERT OR UPDATE OR DELETE ON "CpuAllocation" FOR EACH STATEMENT EXECUTE FUNCTION netpin_bump_placement_generation();
CREATE TRIGGER "VfAllocation_placement_generation" AFTER INSERT OR UPDATE OR DELETE ON "VfAllocation" FOR EACH STATEMENT EXECUTE FUNCTION netpin_bump_placement_generation();
CREATE TRIGGER "Vm_placement_generation_insdel" AFTER INSERT OR DELETE ON "Vm" FOR EACH STATEMENT EXECUTE FUNCTION netpin_bump_placement_generation();
-- VM state changes (PENDING -> PROVISIONING -> RUNNING) do not change placement: only what it holds does
CREATE TRIGGER "Vm_placement_generation_upd" AFTER UPDATE ON "Vm" FOR EACH ROW
  WHEN (OLD."holding" IS DISTINCT FROM NEW."holding" OR OLD."hostId" IS DISTINCT FROM NEW."hostId" OR OLD."plan"::text IS DISTINCT FROM NEW."plan"::text)
  EXECUTE FUNCTION netpin_bump_placement_generation();
