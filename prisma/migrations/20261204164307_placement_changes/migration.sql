-- AlterTable
ALTER TABLE "PlacementState" ADD COLUMN     "prunedThrough" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "PlacementChange" (
    "id" BIGSERIAL NOT NULL,
    "generation" BIGINT NOT NULL,
    "hostId" UUID,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PlacementChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PlacementChange_generation_idx" ON "PlacementChange"("generation");

-- Which hosts each generation changed (schema.prisma: PlacementChange). The generation triggers
-- of 20261126063000 are replaced by triggers that bump the generation as before AND record the
-- hosts the statement touched, read from its transition tables; an API process whose fleet index
-- is behind then re-reads only those hosts instead of the whole fleet. A Network change records
-- NULL: every host may depend on it.
DROP TRIGGER "Host_placement_generation" ON "Host";
DROP TRIGGER "NumaNode_placement_generation" ON "NumaNode";
DROP TRIGGER "Cpu_placement_generation" ON "Cpu";
DROP TRIGGER "Nic_placement_generation" ON "Nic";
DROP TRIGGER "NicIrq_placement_generation" ON "NicIrq";
DROP TRIGGER "Vf_placement_generation" ON "Vf";
DROP TRIGGER "Network_placement_generation" ON "Network";
DROP TRIGGER "NetworkNic_placement_generation" ON "NetworkNic";
DROP TRIGGER "CpuAllocation_placement_generation" ON "CpuAllocation";
DROP TRIGGER "VfAllocation_placement_generation" ON "VfAllocation";
DROP TRIGGER "Vm_placement_generation_insdel" ON "Vm";
DROP TRIGGER "Vm_placement_generation_upd" ON "Vm";
DROP FUNCTION netpin_bump_placement_generation();

-- TG_ARGV[0]: a query over the transition table(s) yielding host ids, or '*' for every host.
-- The UPDATE takes the PlacementState row lock until commit, as before: such transactions are
-- serialised with each other and with placement.
CREATE FUNCTION netpin_placement_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  g bigint;
BEGIN
  UPDATE "PlacementState" SET "generation" = "generation" + 1 WHERE "id" = 1 RETURNING "generation" INTO g;
  IF TG_ARGV[0] = '*' THEN
    INSERT INTO "PlacementChange" ("generation", "hostId") VALUES (g, NULL);
  ELSE
    EXECUTE format('INSERT INTO "PlacementChange" ("generation", "hostId") SELECT DISTINCT $1, h FROM (%s) s(h) WHERE h IS NOT NULL', TG_ARGV[0]) USING g;
  END IF;
  RETURN NULL;
END;
$$;

-- VM state changes (PENDING -> PROVISIONING -> RUNNING) do not change placement: only what it holds does
CREATE FUNCTION netpin_vm_placement_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  g bigint;
BEGIN
  UPDATE "PlacementState" SET "generation" = "generation" + 1 WHERE "id" = 1 RETURNING "generation" INTO g;
  INSERT INTO "PlacementChange" ("generation", "hostId")
    SELECT DISTINCT g, h FROM (VALUES (OLD."hostId"), (NEW."hostId")) s(h) WHERE h IS NOT NULL;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Host_placement_ins" AFTER INSERT ON "Host" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT id FROM changed');
CREATE TRIGGER "Host_placement_upd" AFTER UPDATE ON "Host" REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT id FROM changed UNION ALL SELECT id FROM changed_old');
CREATE TRIGGER "Host_placement_del" AFTER DELETE ON "Host" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT id FROM changed');
CREATE TRIGGER "NumaNode_placement_ins" AFTER INSERT ON "NumaNode" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "NumaNode_placement_upd" AFTER UPDATE ON "NumaNode" REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed UNION ALL SELECT "hostId" FROM changed_old');
CREATE TRIGGER "NumaNode_placement_del" AFTER DELETE ON "NumaNode" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "Cpu_placement_ins" AFTER INSERT ON "Cpu" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "Cpu_placement_upd" AFTER UPDATE ON "Cpu" REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed UNION ALL SELECT "hostId" FROM changed_old');
CREATE TRIGGER "Cpu_placement_del" AFTER DELETE ON "Cpu" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "Nic_placement_ins" AFTER INSERT ON "Nic" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "Nic_placement_upd" AFTER UPDATE ON "Nic" REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed UNION ALL SELECT "hostId" FROM changed_old');
CREATE TRIGGER "Nic_placement_del" AFTER DELETE ON "Nic" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "NicIrq_placement_ins" AFTER INSERT ON "NicIrq" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT n."hostId" FROM changed x JOIN "Nic" n ON n.id = x."nicId"');
CREATE TRIGGER "NicIrq_placement_upd" AFTER UPDATE ON "NicIrq" REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT n."hostId" FROM changed x JOIN "Nic" n ON n.id = x."nicId" UNION ALL SELECT n."hostId" FROM changed_old x JOIN "Nic" n ON n.id = x."nicId"');
CREATE TRIGGER "NicIrq_placement_del" AFTER DELETE ON "NicIrq" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT n."hostId" FROM changed x JOIN "Nic" n ON n.id = x."nicId"');
CREATE TRIGGER "Vf_placement_ins" AFTER INSERT ON "Vf" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT n."hostId" FROM changed x JOIN "Nic" n ON n.id = x."nicId"');
CREATE TRIGGER "Vf_placement_upd" AFTER UPDATE ON "Vf" REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT n."hostId" FROM changed x JOIN "Nic" n ON n.id = x."nicId" UNION ALL SELECT n."hostId" FROM changed_old x JOIN "Nic" n ON n.id = x."nicId"');
CREATE TRIGGER "Vf_placement_del" AFTER DELETE ON "Vf" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT n."hostId" FROM changed x JOIN "Nic" n ON n.id = x."nicId"');
CREATE TRIGGER "NetworkNic_placement_ins" AFTER INSERT ON "NetworkNic" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "NetworkNic_placement_upd" AFTER UPDATE ON "NetworkNic" REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed UNION ALL SELECT "hostId" FROM changed_old');
CREATE TRIGGER "NetworkNic_placement_del" AFTER DELETE ON "NetworkNic" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "CpuAllocation_placement_ins" AFTER INSERT ON "CpuAllocation" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "CpuAllocation_placement_upd" AFTER UPDATE ON "CpuAllocation" REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed UNION ALL SELECT "hostId" FROM changed_old');
CREATE TRIGGER "CpuAllocation_placement_del" AFTER DELETE ON "CpuAllocation" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "VfAllocation_placement_ins" AFTER INSERT ON "VfAllocation" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT n."hostId" FROM changed x JOIN "Vf" v ON v.id = x."vfId" JOIN "Nic" n ON n.id = v."nicId"');
CREATE TRIGGER "VfAllocation_placement_upd" AFTER UPDATE ON "VfAllocation" REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT n."hostId" FROM changed x JOIN "Vf" v ON v.id = x."vfId" JOIN "Nic" n ON n.id = v."nicId" UNION ALL SELECT n."hostId" FROM changed_old x JOIN "Vf" v ON v.id = x."vfId" JOIN "Nic" n ON n.id = v."nicId"');
CREATE TRIGGER "VfAllocation_placement_del" AFTER DELETE ON "VfAllocation" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT n."hostId" FROM changed x JOIN "Vf" v ON v.id = x."vfId" JOIN "Nic" n ON n.id = v."nicId"');
CREATE TRIGGER "Network_placement_changed" AFTER INSERT OR UPDATE OR DELETE ON "Network" FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('*');
CREATE TRIGGER "Vm_placement_ins" AFTER INSERT ON "Vm" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "Vm_placement_del" AFTER DELETE ON "Vm" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION netpin_placement_changed('SELECT "hostId" FROM changed');
CREATE TRIGGER "Vm_placement_upd" AFTER UPDATE ON "Vm" FOR EACH ROW
  WHEN (OLD."holding" IS DISTINCT FROM NEW."holding" OR OLD."hostId" IS DISTINCT FROM NEW."hostId" OR OLD."plan"::text IS DISTINCT FROM NEW."plan"::text)
  EXECUTE FUNCTION netpin_vm_placement_changed();
