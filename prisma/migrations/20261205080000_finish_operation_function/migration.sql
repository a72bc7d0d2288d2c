-- A job's outcome in one statement (provisioning.repository.ts finishOperation): the operation's
-- state, its parent's, the VM's state/generation/error and the follow-up operations with their
-- outbox rows, which the API wrote before in a Prisma transaction of three to six round trips.
-- Outcomes that release a VM's resources or remove an interface (the I/O CPU hand-over is
-- decided in the API) still take that transaction.

-- The columns an outcome sets on an operation still QUEUED or RUNNING (vm-effects.ts outcomeData);
-- s = { "state", and only the keys to set: "finishedAt", "progress", "steps", "result",
-- "errorCode", "errorMessage", "errorStderr" }; returns the row, or NULL when it already finished.
CREATE FUNCTION netpin_apply_outcome(op uuid, s jsonb, at timestamp(3)) RETURNS "Operation" LANGUAGE plpgsql AS $$
DECLARE
  r "Operation";
BEGIN
  UPDATE "Operation" SET
    "state" = (s->>'state')::"OperationState",
    "finishedAt" = CASE WHEN s ? 'finishedAt' THEN (s->>'finishedAt')::timestamp(3) ELSE "finishedAt" END,
    "progress" = CASE WHEN s ? 'progress' THEN (s->>'progress')::int ELSE "progress" END,
    "steps" = CASE WHEN s ? 'steps' THEN s->'steps' ELSE "steps" END,
    "result" = CASE WHEN s ? 'result' THEN s->'result' ELSE "result" END,
    "errorCode" = CASE WHEN s ? 'errorCode' THEN s->>'errorCode' ELSE "errorCode" END,
    "errorMessage" = CASE WHEN s ? 'errorMessage' THEN s->>'errorMessage' ELSE "errorMessage" END,
    "errorStderr" = CASE WHEN s ? 'errorStderr' THEN s->>'errorStderr' ELSE "errorStderr" END,
    "updatedAt" = at
  WHERE "id" = op AND "state" IN ('QUEUED', 'RUNNING')
  RETURNING * INTO r;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  RETURN r;
END;
$$;

-- f = { "id", "at", "set": as netpin_apply_outcome, "parent": { "id", "set" } | absent,
--       "vm": { "id", "state"?, "generation"?, "error"?: { "code", "message", "stderr" } | null } | absent,
--       "followUps": [as netpin_create_operation] }.
-- Nothing is written, and NULL returned, when the operation already finished. Else
-- { "operation": row, "parent": row | null (null also when the parent had finished) }.
CREATE FUNCTION netpin_finish_operation(f jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  at timestamp(3) := (f->>'at')::timestamp(3);
  o "Operation";
  p "Operation";
  v jsonb := f->'vm';
  fu jsonb;
BEGIN
  o := netpin_apply_outcome((f->>'id')::uuid, f->'set', at);
  IF o."id" IS NULL THEN
    RETURN NULL;
  END IF;
  IF f->'parent' IS NOT NULL THEN
    p := netpin_apply_outcome((f->'parent'->>'id')::uuid, f->'parent'->'set', at);
  END IF;
  IF v IS NOT NULL THEN
    UPDATE "Vm" SET
      "state" = COALESCE((v->>'state')::"VmState", "state"),
      "generation" = COALESCE((v->>'generation')::int, "generation"),
      "activeName" = CASE WHEN v->>'state' = 'DELETED' THEN NULL ELSE "activeName" END,
      "deletedAt" = CASE WHEN v->>'state' = 'DELETED' THEN at ELSE "deletedAt" END,
      "errorCode" = CASE WHEN v ? 'error' THEN v->'error'->>'code' ELSE "errorCode" END,
      "errorMessage" = CASE WHEN v ? 'error' THEN v->'error'->>'message' ELSE "errorMessage" END,
      "errorStderr" = CASE WHEN v ? 'error' THEN v->'error'->>'stderr' ELSE "errorStderr" END,
      "updatedAt" = at
    WHERE "id" = (v->>'id')::uuid;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'vm % not found', v->>'id' USING ERRCODE = 'no_data_found';
    END IF;
  END IF;
  FOR fu IN SELECT x FROM jsonb_array_elements(COALESCE(f->'followUps', '[]'::jsonb)) x LOOP
    PERFORM netpin_create_operation(fu);
  END LOOP;
  RETURN jsonb_build_object('operation', to_jsonb(o), 'parent', CASE WHEN p."id" IS NULL THEN NULL ELSE to_jsonb(p) END);
END;
$$;
