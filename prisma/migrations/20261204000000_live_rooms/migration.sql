-- AlterTable
ALTER TABLE "Course" ADD COLUMN     "mode" VARCHAR(8) NOT NULL DEFAULT 'class';

-- CreateTable
CREATE TABLE "LiveRoom" (
    "roomnum" INTEGER NOT NULL,
    "type" VARCHAR(32) NOT NULL,
    "groupId" VARCHAR(64) NOT NULL,
    "device" SMALLINT NOT NULL,
    "videoType" SMALLINT NOT NULL,
    "reportedAppid" VARCHAR(16) NOT NULL,
    "longitude" DOUBLE PRECISION,
    "latitude" DOUBLE PRECISION,
    "address" VARCHAR(100) NOT NULL DEFAULT '',
    "reportedAt" TIMESTAMPTZ(3) NOT NULL,
    "recordName" VARCHAR(256) NOT NULL DEFAULT '',
    "recordType" INTEGER NOT NULL DEFAULT 0,
    "recordCover" VARCHAR(1024) NOT NULL DEFAULT '',

    CONSTRAINT "LiveRoom_pkey" PRIMARY KEY ("roomnum")
);

-- CreateIndex
CREATE INDEX "LiveRoom_reportedAt_idx" ON "LiveRoom"("reportedAt" DESC);

-- AddForeignKey
ALTER TABLE "LiveRoom" ADD CONSTRAINT "LiveRoom_roomnum_fkey" FOREIGN KEY ("roomnum") REFERENCES "Course"("roomnum") ON DELETE RESTRICT ON UPDATE CASCADE;
