-- Operators: a school's admins and support desk, who use the console (/console). Not app
-- accounts: they have no role in classes, and each sees only the apps listed here.
CREATE TABLE "Operator" (
    "id" SERIAL NOT NULL,
    "uid" VARCHAR(50) NOT NULL,
    "passwordHash" VARCHAR(200) NOT NULL,
    "apps" INTEGER[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Operator_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Operator_uid_key" ON "Operator"("uid");
