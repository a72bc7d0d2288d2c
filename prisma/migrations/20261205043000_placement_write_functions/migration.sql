-- The writes of a VM create (and the allocation rows and operations every caller shares) as
-- PL/pgSQL functions taking one jsonb argument: a create holds the fleet-wide placement lock
-- for one statement of writes instead of a dozen round trips (provisioning.repository.ts).
-- The rows are built by the API (what Prisma wrote before); these functions only insert them.
-- Every INSERT is an ordinary statement inside the function: the placement triggers fire as
-- before, and a unique violation reaches the API with its constraint's name.

-- An operation and, when it has a job, its outbox row (operation.repository.ts createOperation).
-- o = { "row": Operation columns, "job": { "queue", "name", "payload" } | absent }; returns the row.
CREATE FUNCTION netpin_create_operation(o jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  r "Operation";
BEGIN
  INSERT INTO "Operation" ("id", "kind", "targetType", "targetId", "idempotencyKey", "requestHash", "requestId", "parentId",
                           "state", "progress", "steps", "result", "createdAt", "finishedAt", "updatedAt")
    SELECT x."id", x."kind", x."targetType", x."targetId", x."idempotencyKey", x."requestHash", x."requestId", x."parentId",
           x."state", x."progress", x."steps", x."result", x."createdAt", x."finishedAt", x."updatedAt"
    FROM jsonb_populate_record(NULL::"Operation", o->'row') x
    RETURNING * INTO r;
  IF o->'job' IS NOT NULL THEN
    INSERT INTO "OutboxMessage" ("id", "operationId", "queue", "jobName", "payload", "createdAt")
      VALUES (gen_random_uuid(), r."id", o->'job'->>'queue', o->'job'->>'name', o->'job'->'payload', r."createdAt");
  END IF;
  RETURN to_jsonb(r);
END;
$$;

-- The CPU and VF allocation rows of a plan (provisioning.repository.ts writeAllocations).
-- a = { "vmId", "hostId", "cpus": [{ "cpu", "role" }], "vfs": [{ "nicId", "index", "interfaceId", "label" }] };
-- returns null when written, or { "missing": "cpu" | "vf", "key" } (nothing written) when a CPU or VF does not exist.
CREATE FUNCTION netpin_write_allocations(a jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  host uuid := (a->>'hostId')::uuid;
  vm uuid := (a->>'vmId')::uuid;
  miss text;
BEGIN
  SELECT x.cpu::text INTO miss FROM ROWS FROM (jsonb_to_recordset(a->'cpus') AS (cpu int, role text)) WITH ORDINALITY x(cpu, role, n)
    WHERE NOT EXISTS (SELECT 1 FROM "Cpu" c WHERE c."hostId" = host AND c."cpuId" = x.cpu) ORDER BY x.n LIMIT 1;
  IF miss IS NOT NULL THEN
    RETURN jsonb_build_object('missing', 'cpu', 'key', host::text || '/' || miss);
  END IF;
  SELECT x.label INTO miss FROM ROWS FROM (jsonb_to_recordset(a->'vfs') AS ("nicId" uuid, "index" int, label text)) WITH ORDINALITY x("nicId", "index", label, n)
    WHERE NOT EXISTS (SELECT 1 FROM "Vf" v WHERE v."nicId" = x."nicId" AND v."index" = x."index") ORDER BY x.n LIMIT 1;
  IF miss IS NOT NULL THEN
    RETURN jsonb_build_object('missing', 'vf', 'key', miss);
  END IF;
  IF jsonb_array_length(a->'cpus') > 0 THEN
    INSERT INTO "CpuAllocation" ("id", "cpuRowId", "hostId", "vmId", "role")
      SELECT gen_random_uuid(), c."id", host, vm, x.role::"CpuRole"
      FROM ROWS FROM (jsonb_to_recordset(a->'cpus') AS (cpu int, role text)) WITH ORDINALITY x(cpu, role, n)
      JOIN "Cpu" c ON c."hostId" = host AND c."cpuId" = x.cpu
      ORDER BY x.n;
  END IF;
  IF jsonb_array_length(a->'vfs') > 0 THEN
    INSERT INTO "VfAllocation" ("id", "vfId", "vmId", "interfaceId")
      SELECT gen_random_uuid(), v."id", vm, x."interfaceId"
      FROM ROWS FROM (jsonb_to_recordset(a->'vfs') AS ("nicId" uuid, "index" int, "interfaceId" uuid)) WITH ORDINALITY x("nicId", "index", "interfaceId", n)
      JOIN "Vf" v ON v."nicId" = x."nicId" AND v."index" = x."index"
      ORDER BY x.n;
  END IF;
  RETURN NULL;
END;
$$;

-- A placed VM: its row, interfaces, allocations and create operation (provisioning.repository.ts).
-- p = { "hostDigest": md5 of the Host row the job was made from, "macs": [...], "vm": Vm columns,
--       "interfaces": [VmInterface columns], "allocations": as netpin_write_allocations, "operation": as netpin_create_operation }.
-- Nothing is written, and the reason returned, when the host row changed since the API read it
-- ({ "hostChanged": true }), a MAC is used by a live VM ({ "clash": [...] }, unique-macs.ts), or a
-- CPU or VF is missing ({ "missing", "key" }). Else { "vm": the row without its request,
-- "interfaces": rows by index, "operation": row, "generation": PlacementState's after the writes }.
CREATE FUNCTION netpin_create_placed_vm(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v "Vm";
  ifaces jsonb;
  clash jsonb;
  missing jsonb;
  op jsonb;
  g bigint;
BEGIN
  IF (SELECT md5(h::text) FROM "Host" h WHERE h."id" = (p->'vm'->>'hostId')::uuid) IS DISTINCT FROM p->>'hostDigest' THEN
    RETURN jsonb_build_object('hostChanged', true);
  END IF;
  SELECT jsonb_agg(DISTINCT i."mac") INTO clash FROM "VmInterface" i JOIN "Vm" w ON w."id" = i."vmId"
    WHERE i."mac" IN (SELECT jsonb_array_elements_text(p->'macs')) AND w."state" <> 'DELETED';
  IF clash IS NOT NULL THEN
    RETURN jsonb_build_object('clash', clash);
  END IF;
  INSERT INTO "Vm" ("id", "name", "activeName", "hostId", "state", "vcpus", "memoryMiB", "numaNode", "request", "plan", "holding",
                    "groupId", "createdAt", "updatedAt")
    SELECT x."id", x."name", x."activeName", x."hostId", x."state", x."vcpus", x."memoryMiB", x."numaNode", x."request", x."plan",
           x."holding", x."groupId", x."createdAt", x."updatedAt"
    FROM jsonb_populate_record(NULL::"Vm", p->'vm') x
    RETURNING * INTO v;
  WITH ins AS (
    INSERT INTO "VmInterface" ("id", "vmId", "index", "networkId", "datapath", "model", "mac", "vlan", "sourceDev", "queues")
      SELECT x."id", x."vmId", x."index", x."networkId", x."datapath", x."model", x."mac", x."vlan", x."sourceDev", x."queues"
      FROM jsonb_populate_recordset(NULL::"VmInterface", p->'interfaces') x
      RETURNING *
  )
  SELECT COALESCE(jsonb_agg(to_jsonb(ins) ORDER BY ins."index"), '[]'::jsonb) INTO ifaces FROM ins;
  missing := netpin_write_allocations(p->'allocations');
  IF missing IS NOT NULL THEN
    RETURN missing;
  END IF;
  op := netpin_create_operation(p->'operation');
  SELECT "generation" INTO g FROM "PlacementState" WHERE "id" = 1;
  RETURN jsonb_build_object('vm', to_jsonb(v) - 'request', 'interfaces', ifaces, 'operation', op, 'generation', g::text);
END;
$$;
