ALTER TABLE "ConsentState" DROP COLUMN "tracedSubscribedWallAt";
ALTER TABLE "ConsentState" DROP COLUMN "tracedUnsubscribedWallAt";
