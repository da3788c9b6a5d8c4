-- CreateTable
CREATE TABLE "StorefrontCustomer" (
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "emailState" TEXT,
    "smsState" TEXT,
    "lookedUpAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StorefrontCustomer_pkey" PRIMARY KEY ("shopId","customerId")
);

-- CreateTable
CREATE TABLE "StorefrontCheckDay" (
    "shopId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "answered" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "StorefrontCheckDay_pkey" PRIMARY KEY ("shopId","day")
);
