-- A create in one autocommitted statement (provisioning.repository.ts createPlacedVmAt): the
-- PlacementState row is locked, and the VM written by netpin_create_placed_vm only when the
-- fleet is still at the generation the API placed against. The lock is held for this one
-- statement on the server instead of across the API's BEGIN / lock / write / COMMIT round trips.
-- Returns { "stale": generation now } (nothing written) when the fleet changed, else what
-- netpin_create_placed_vm returns; a missing CPU or VF raises (NP001, the writes roll back).
CREATE FUNCTION netpin_create_placed_vm_at(p jsonb, expected bigint) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  g bigint;
  r jsonb;
BEGIN
  SELECT "generation" INTO g FROM "PlacementState" WHERE "id" = 1 FOR UPDATE;
  IF g IS DISTINCT FROM expected THEN
    RETURN jsonb_build_object('stale', g::text);
  END IF;
  r := netpin_create_placed_vm(p);
  IF r ? 'missing' THEN
    RAISE EXCEPTION 'netpin_create_placed_vm_at: missing %', r::text USING ERRCODE = 'NP001';
  END IF;
  RETURN r;
END;
$$;
