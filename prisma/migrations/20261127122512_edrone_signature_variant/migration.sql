-- The encoding of edrone's signature that last verified for the shop (Setup shows it).
ALTER TABLE "Shop" ADD COLUMN "edroneSignatureVariant" TEXT;
