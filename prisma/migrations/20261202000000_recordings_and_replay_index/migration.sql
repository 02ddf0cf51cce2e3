-- AlterTable
ALTER TABLE "Course" ADD COLUMN     "replayIndexAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "replayIndexError" VARCHAR(512) NOT NULL DEFAULT '',
ADD COLUMN     "replayIndexStatus" VARCHAR(16);

-- CreateTable
CREATE TABLE "VideoRecord" (
    "id" SERIAL NOT NULL,
    "roomnum" INTEGER NOT NULL,
    "uin" INTEGER NOT NULL,
    "fileId" VARCHAR(128) NOT NULL,
    "videoId" VARCHAR(128) NOT NULL,
    "videoUrl" VARCHAR(2048) NOT NULL,
    "streamId" VARCHAR(256) NOT NULL,
    "fileFormat" VARCHAR(16) NOT NULL DEFAULT '',
    "startAt" TIMESTAMPTZ(3) NOT NULL,
    "endAt" TIMESTAMPTZ(3) NOT NULL,
    "mediaStartTime" BIGINT NOT NULL,
    "fileSize" BIGINT NOT NULL,
    "duration" INTEGER NOT NULL,
    "imSeq" INTEGER,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VideoRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "VideoRecord_fileId_key" ON "VideoRecord"("fileId");

-- CreateIndex
CREATE INDEX "VideoRecord_roomnum_startAt_idx" ON "VideoRecord"("roomnum", "startAt");

-- CreateIndex
CREATE INDEX "VideoRecord_uin_idx" ON "VideoRecord"("uin");

-- AddForeignKey
ALTER TABLE "VideoRecord" ADD CONSTRAINT "VideoRecord_roomnum_fkey" FOREIGN KEY ("roomnum") REFERENCES "Course"("roomnum") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VideoRecord" ADD CONSTRAINT "VideoRecord_uin_fkey" FOREIGN KEY ("uin") REFERENCES "Account"("uin") ON DELETE RESTRICT ON UPDATE CASCADE;
