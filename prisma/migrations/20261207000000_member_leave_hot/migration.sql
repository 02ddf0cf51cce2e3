-- A stay's leave (leftAt, leaveReason) touches no index, and each page keeps room for
-- the leave's new row version: ending a class of 100 becomes 100 HOT updates.
DROP INDEX "ClassMember_roomnum_leftAt_idx";
DROP INDEX "ClassMember_roomnum_uin_leftAt_idx";
CREATE INDEX "ClassMember_roomnum_uin_idx" ON "ClassMember"("roomnum", "uin");
ALTER TABLE "ClassMember" SET (fillfactor = 40);
