-- The outbox relay claims rows with a lease instead of holding a transaction open while it
-- publishes them (schema.prisma: OutboxMessage.claimedUntil; docs/architecture.md, "Outbox").
-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "claimedUntil" TIMESTAMP(3);
