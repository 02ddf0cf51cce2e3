-- AlterTable
ALTER TABLE "Recording" ADD COLUMN     "stream" SMALLINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "LivePush" ADD COLUMN     "stream" SMALLINT NOT NULL DEFAULT 0;
