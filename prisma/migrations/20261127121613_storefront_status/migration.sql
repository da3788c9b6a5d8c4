-- CreateTable
CREATE TABLE "StorefrontCustomer" (
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "emailState" TEXT,
    "smsState" TEXT,
    "lookedUpAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shopId", "customerId")
);

-- CreateTable
CREATE TABLE "StorefrontCheckDay" (
    "shopId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "answered" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("shopId", "day")
);
