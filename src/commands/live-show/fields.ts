import { z } from "zod";
import { FieldText } from "../../errors";
import { isStorableText, lenientInteger } from "../../services/domain";
import { type FieldTexts, int, oneOf, reject } from "../fields";

/** Field rules of the 随心播 live dialect (live-protocol.md §A.5), with its texts. */

const T = FieldText.live;

/** A live room's number: an integer or a canonical decimal string (apps send both). */
export const liveRoomnum = (texts: FieldTexts) => int(texts, { min: 1 });

/** A role in a live room: 0 viewer, 1 host, 2 co-host on mic. */
export const liveRole = (texts: FieldTexts) => oneOf(texts, [0, 1, 2] as const);

/** A string used only when it is one (the original ignored other types), within `maxBytes`, else `tooLong`. */
const optionalText = (maxBytes: number, tooLong: string) =>
  z
    .unknown()
    .transform((value, ctx): string | undefined => {
      if (typeof value !== "string") return undefined;
      if (Buffer.byteLength(value, "utf8") > maxBytes || !isStorableText(value)) return reject(ctx, tooLong);
      return value;
    })
    .optional();

/** An `appid` as an integer or a string (the PC client sends a string): kept as its text. */
const appidText = z.unknown().transform((value, ctx): string => {
  if (value === undefined || value === null) return reject(ctx, T.room.appid.lack);
  if (typeof value === "string" && isStorableText(value) && value.length <= 16) return value;
  const appid = lenientInteger(value);
  if (appid !== undefined) return String(appid);
  return reject(ctx, T.room.appid.invalid);
});

/** A required string of the room object (`type`, `groupid`). */
const roomString = (texts: FieldTexts, maxLength: number) =>
  z.unknown().transform((value, ctx): string => {
    if (value === undefined || value === null) return reject(ctx, texts.lack);
    if (typeof value !== "string" || value.length > maxLength || !isStorableText(value)) return reject(ctx, texts.invalid);
    return value;
  });

/** live.reportroom's `room`, in the original's check order (a room that is not an object lacks its type). */
export const reportedRoom = z
  .unknown()
  .transform((value, ctx): Record<string, unknown> => {
    if (value === undefined || value === null) return reject(ctx, T.room.lack);
    return typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  })
  .pipe(
    z.object({
      title: optionalText(128, T.room.title),
      cover: optionalText(128, T.room.cover),
      type: roomString(T.room.type, 32),
      roomnum: liveRoomnum(T.room.roomnum),
      groupid: roomString(T.room.groupid, 64),
      device: oneOf(T.room.device, [0, 1, 2] as const),
      videotype: oneOf(T.room.videotype, [0, 1] as const),
      appid: appidText,
    }),
  );

const coordinate = (limit: number) =>
  z
    .unknown()
    .transform((value): number | undefined => (typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= limit ? value : undefined))
    .optional();

/** live.reportroom's optional `lbs`: coordinates used when they are numbers in range, the address when a string. */
export const reportedLbs = z
  .unknown()
  .transform((value): Record<string, unknown> | undefined => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined))
  .pipe(z.object({ longitude: coordinate(180), latitude: coordinate(90), address: optionalText(100, T.address.invalid) }).optional())
  .optional();
