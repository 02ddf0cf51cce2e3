-- AlterTable
ALTER TABLE "VideoRecord" ADD COLUMN     "recordingId" INTEGER;

-- CreateTable
CREATE TABLE "Recording" (
    "id" SERIAL NOT NULL,
    "roomnum" INTEGER NOT NULL,
    "uin" INTEGER NOT NULL,
    "fileName" VARCHAR(256) NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "stoppedAt" TIMESTAMPTZ(3),
    "fileIds" TEXT[],

    CONSTRAINT "Recording_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LivePush" (
    "id" SERIAL NOT NULL,
    "roomnum" INTEGER NOT NULL,
    "uin" INTEGER NOT NULL,
    "channelId" VARCHAR(32) NOT NULL DEFAULT '',
    "liveUrls" JSONB NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "stoppedAt" TIMESTAMPTZ(3),

    CONSTRAINT "LivePush_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "VideoRecord_recordingId_idx" ON "VideoRecord"("recordingId");

-- CreateIndex
CREATE INDEX "Recording_roomnum_startedAt_idx" ON "Recording"("roomnum", "startedAt");

-- CreateIndex
CREATE INDEX "Recording_uin_idx" ON "Recording"("uin");

-- CreateIndex
CREATE INDEX "LivePush_roomnum_startedAt_idx" ON "LivePush"("roomnum", "startedAt");

-- CreateIndex
CREATE INDEX "LivePush_uin_idx" ON "LivePush"("uin");

-- AddForeignKey
ALTER TABLE "VideoRecord" ADD CONSTRAINT "VideoRecord_recordingId_fkey" FOREIGN KEY ("recordingId") REFERENCES "Recording"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Recording" ADD CONSTRAINT "Recording_roomnum_fkey" FOREIGN KEY ("roomnum") REFERENCES "Course"("roomnum") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Recording" ADD CONSTRAINT "Recording_uin_fkey" FOREIGN KEY ("uin") REFERENCES "Account"("uin") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LivePush" ADD CONSTRAINT "LivePush_roomnum_fkey" FOREIGN KEY ("roomnum") REFERENCES "Course"("roomnum") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LivePush" ADD CONSTRAINT "LivePush_uin_fkey" FOREIGN KEY ("uin") REFERENCES "Account"("uin") ON DELETE RESTRICT ON UPDATE CASCADE;
