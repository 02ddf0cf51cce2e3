-- AlterTable
ALTER TABLE "Recording" ADD COLUMN     "confirmed" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "LivePush" ADD COLUMN     "confirmed" BOOLEAN NOT NULL DEFAULT true;
