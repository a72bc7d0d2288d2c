/**
 * The scale benchmark's fleet, written straight into the database by set-based SQL (a few
 * statements, whatever the host count). Per host, like `bench:placement`'s synthetic fleet:
 * 2 NUMA nodes × 32 cores × 2 threads (siblings n and n + 64; core 0 of each node reserved for
 * the host), 256 GiB + 96 × 1 GiB hugepages per node, two SR-IOV PFs (ixgbe, 64 VFs, 16 queues,
 * one per node) and a plain NIC (8 queues, node 0). Networks: `physnet-a` (SR-IOV, on both PFs)
 * and `mvt` (macvtap, on the plain NIC) on every host.
 */
export function fleetSql(hosts: number): string[] {
  return [
    `INSERT INTO "Host" (id, name, address, "credentialRef", state, "capVmx", "capEpt", "capIommu", "capKvm", "capVhostNet",
       "lastDiscoveredAt", "updatedAt")
     SELECT gen_random_uuid(), 'host-' || lpad(i::text, 5, '0'), '10.' || (i / 65536) || '.' || ((i / 256) % 256) || '.' || (i % 256),
       'file:none', 'READY', true, true, true, true, true, now(), now()
     FROM generate_series(0, ${hosts - 1}) AS i`,
    `INSERT INTO "NumaNode" (id, "hostId", index, "memoryMiB", hugepages)
     SELECT gen_random_uuid(), h.id, n, 262144, '[{"sizeKiB":1048576,"total":96,"free":96}]'::jsonb
     FROM "Host" h, generate_series(0, 1) AS n`,
    `INSERT INTO "Cpu" (id, "hostId", "numaNodeId", "cpuId", socket, core, siblings, "reservedForHost")
     SELECT gen_random_uuid(), nn."hostId", nn.id, nn.index * 32 + c + t * 64, nn.index, c,
       ARRAY[nn.index * 32 + c, nn.index * 32 + c + 64], c = 0
     FROM "NumaNode" nn, generate_series(0, 31) AS c, generate_series(0, 1) AS t`,
    `INSERT INTO "Nic" (id, "hostId", name, "pciAddress", driver, "numaNode", "speedMbps", "linkState", "combinedQueues",
       "maxCombinedQueues", "sriovTotalVfs", "sriovNumVfs", "vendorId", "deviceId")
     SELECT gen_random_uuid(), h.id, x.name, x.pci, x.driver, x.node, x.speed, 'up', x.q, x.q, x.vfs, x.vfs, '8086', x.dev
     FROM "Host" h, (VALUES ('ens1f0', '0000:3b:00.0', 'ixgbe', 0, 10000, 16, 64, '10fb'),
                            ('ens2f0', '0000:8b:00.0', 'ixgbe', 1, 10000, 16, 64, '10fb'),
                            ('eno1', '0000:01:00.0', 'e1000e', 0, 1000, 8, 0, '15b8')) AS x(name, pci, driver, node, speed, q, vfs, dev)`,
    `INSERT INTO "NicIrq" (id, "nicId", irq, queue, label, affinity)
     SELECT gen_random_uuid(), n.id, 100 + q + CASE n.name WHEN 'ens1f0' THEN 0 WHEN 'ens2f0' THEN 20 ELSE 40 END, q,
       n.name || '-TxRx-' || q, ARRAY[CASE WHEN n."numaNode" = 1 THEN 32 + 1 + q ELSE 1 + q END]
     FROM "Nic" n, generate_series(0, 15) AS q WHERE q < n."combinedQueues"`,
    `INSERT INTO "Vf" (id, "nicId", index, "pciAddress")
     SELECT gen_random_uuid(), n.id, v, substr(n."pciAddress", 1, 8) || lpad(to_hex(16 + v / 8), 2, '0') || '.' || (v % 8)
     FROM "Nic" n, generate_series(0, 63) AS v WHERE v < n."sriovTotalVfs"`,
    `INSERT INTO "Network" (id, name, kind, physnet, "macvtapMode", "updatedAt")
     VALUES (gen_random_uuid(), 'physnet-a', 'SRIOV_PHYSNET', 'physnet-a', NULL, now()),
            (gen_random_uuid(), 'mvt', 'MACVTAP', NULL, 'bridge', now())`,
    `INSERT INTO "NetworkNic" (id, "networkId", "hostId", "nicId")
     SELECT gen_random_uuid(), w.id, n."hostId", n.id FROM "Nic" n
     JOIN "Network" w ON (w.name = 'physnet-a' AND n.name IN ('ens1f0', 'ens2f0')) OR (w.name = 'mvt' AND n.name = 'eno1')`,
  ];
}
