-- Host.bridges is NULL until a discovery that reads bridges has run: placement checks a
-- network's bridge only against hosts whose bridges are known (docs/placement.md).
ALTER TABLE "Host" ALTER COLUMN "bridges" DROP NOT NULL,
ALTER COLUMN "bridges" DROP DEFAULT;
UPDATE "Host" SET "bridges" = NULL;
