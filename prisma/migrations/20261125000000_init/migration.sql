-- CreateTable
CREATE TABLE "Account" (
    "uin" SERIAL NOT NULL,
    "appid" INTEGER NOT NULL,
    "uid" VARCHAR(50) NOT NULL,
    "uidKey" VARCHAR(50) NOT NULL,
    "role" SMALLINT NOT NULL,
    "passwordHash" VARCHAR(200) NOT NULL,
    "tokenHash" CHAR(64),
    "registeredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "loginAt" TIMESTAMPTZ(3),
    "logoutAt" TIMESTAMPTZ(3),
    "lastRequestAt" TIMESTAMPTZ(3),

    CONSTRAINT "Account_pkey" PRIMARY KEY ("uin")
);

-- CreateTable
CREATE TABLE "Course" (
    "roomnum" SERIAL NOT NULL,
    "appid" INTEGER NOT NULL,
    "hostUin" INTEGER NOT NULL,
    "title" VARCHAR(128) NOT NULL,
    "cover" VARCHAR(1024) NOT NULL DEFAULT '',
    "state" SMALLINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "effectiveAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startImSeq" INTEGER NOT NULL DEFAULT 0,
    "endedAt" TIMESTAMPTZ(3),
    "endImSeq" INTEGER NOT NULL DEFAULT 0,
    "endReason" VARCHAR(16),
    "lastRecImSeq" INTEGER NOT NULL DEFAULT 0,
    "replayIndexDueAt" TIMESTAMPTZ(3),
    "replayIndexTriggeredAt" TIMESTAMPTZ(3),
    "replayIndexTriggerResult" INTEGER NOT NULL DEFAULT 0,
    "replayIndexUrl" TEXT NOT NULL DEFAULT '',
    "replayIndexCreatedAt" TIMESTAMPTZ(3),
    "replayIndexCreatedResult" INTEGER NOT NULL DEFAULT 0,
    "memberVersion" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Course_pkey" PRIMARY KEY ("roomnum")
);

-- CreateTable
CREATE TABLE "ClassMember" (
    "id" SERIAL NOT NULL,
    "roomnum" INTEGER NOT NULL,
    "uin" INTEGER NOT NULL,
    "role" SMALLINT NOT NULL,
    "joinedAt" TIMESTAMPTZ(3) NOT NULL,
    "leftAt" TIMESTAMPTZ(3),
    "leaveReason" VARCHAR(16),

    CONSTRAINT "ClassMember_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Binding" (
    "id" SERIAL NOT NULL,
    "uin" INTEGER NOT NULL,
    "roomnum" INTEGER,
    "scope" VARCHAR(32) NOT NULL,
    "type" SMALLINT NOT NULL,
    "fileName" VARCHAR(256) NOT NULL,
    "url" VARCHAR(2048) NOT NULL,
    "boundAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Binding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Account_tokenHash_key" ON "Account"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Account_appid_uidKey_key" ON "Account"("appid", "uidKey");

-- CreateIndex
CREATE INDEX "Course_appid_effectiveAt_roomnum_idx" ON "Course"("appid", "effectiveAt" DESC, "roomnum");

-- CreateIndex
CREATE INDEX "Course_appid_state_effectiveAt_roomnum_idx" ON "Course"("appid", "state", "effectiveAt" DESC, "roomnum");

-- CreateIndex
CREATE INDEX "Course_hostUin_effectiveAt_idx" ON "Course"("hostUin", "effectiveAt" DESC);

-- CreateIndex
CREATE INDEX "Course_state_replayIndexDueAt_idx" ON "Course"("state", "replayIndexDueAt");

-- CreateIndex
CREATE INDEX "ClassMember_roomnum_leftAt_idx" ON "ClassMember"("roomnum", "leftAt");

-- CreateIndex
CREATE INDEX "ClassMember_roomnum_uin_leftAt_idx" ON "ClassMember"("roomnum", "uin", "leftAt");

-- CreateIndex
CREATE INDEX "ClassMember_uin_idx" ON "ClassMember"("uin");

-- CreateIndex
CREATE INDEX "Binding_scope_id_idx" ON "Binding"("scope", "id" DESC);

-- CreateIndex
CREATE INDEX "Binding_roomnum_idx" ON "Binding"("roomnum");

-- CreateIndex
CREATE INDEX "Binding_uin_idx" ON "Binding"("uin");

-- CreateIndex
CREATE UNIQUE INDEX "Binding_scope_url_key" ON "Binding"("scope", "url");

-- AddForeignKey
ALTER TABLE "Course" ADD CONSTRAINT "Course_hostUin_fkey" FOREIGN KEY ("hostUin") REFERENCES "Account"("uin") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClassMember" ADD CONSTRAINT "ClassMember_roomnum_fkey" FOREIGN KEY ("roomnum") REFERENCES "Course"("roomnum") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClassMember" ADD CONSTRAINT "ClassMember_uin_fkey" FOREIGN KEY ("uin") REFERENCES "Account"("uin") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Binding" ADD CONSTRAINT "Binding_uin_fkey" FOREIGN KEY ("uin") REFERENCES "Account"("uin") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Binding" ADD CONSTRAINT "Binding_roomnum_fkey" FOREIGN KEY ("roomnum") REFERENCES "Course"("roomnum") ON DELETE SET NULL ON UPDATE CASCADE;

-- Numbering as the original server: users and rooms start at 10001 (apps show room numbers).
-- Prisma does not model sequence start values; this leaves no drift for `migrate diff`.
ALTER SEQUENCE "Account_uin_seq" START WITH 10001 RESTART;
ALTER SEQUENCE "Course_roomnum_seq" START WITH 10001 RESTART;
