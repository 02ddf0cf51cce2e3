import { z } from "zod";
import { FieldText } from "../../errors";
import { INT32_MAX, isStorableText, lenientInteger } from "../../services/domain";
import type { IndexFileCallback } from "../../services/replay-index";
import { tencentImCallback } from "../access";
import { defineCommand } from "../command";
import { reject, withFieldNames } from "../fields";

/**
 * The replay index service's callback (protocol.md §10.3): `SrcRequest` is our request
 * echoed as a JSON *string* (decoded twice), `ErrorCode`/`ErrorInfo` its outcome, and
 * `ReplayIndex {FileUrl, CreateTime}` the index when ErrorCode is 0. Checked in the
 * original's order, with its texts.
 */

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The class the echoed request names (its GroupId, a decimal string). */
function roomnumOfSrcRequest(value: unknown, ctx: z.RefinementCtx): number {
  if (typeof value !== "string") return reject(ctx, FieldText.srcRequest.invalid);
  let request: unknown;
  try {
    request = JSON.parse(value);
  } catch {
    return reject(ctx, FieldText.srcRequest.undecodable);
  }
  const groupId = isObject(request) ? request.GroupId : undefined;
  const roomnum = typeof groupId === "string" ? lenientInteger(groupId) : undefined;
  if (roomnum === undefined) return reject(ctx, FieldText.srcRequest.groupId);
  return roomnum;
}

function builtIndexOf(value: unknown, ctx: z.RefinementCtx): IndexFileCallback["built"] {
  if (!isObject(value)) return reject(ctx, FieldText.replayIndex.invalid);
  const { FileUrl: fileUrl, CreateTime: createTime } = value;
  if (typeof fileUrl !== "string" || fileUrl === "" || fileUrl.length > 2048 || !isStorableText(fileUrl)) return reject(ctx, FieldText.replayIndex.fileUrl);
  const created = lenientInteger(createTime);
  if (created === undefined) return reject(ctx, FieldText.replayIndex.createTime);
  return { fileUrl, createTime: created };
}

const callbackFields = ["SrcRequest", "ErrorCode", "ErrorInfo", "ReplayIndex"];
const callbackInput = withFieldNames(z.unknown().transform((value, ctx): IndexFileCallback => {
  const body = isObject(value) ? value : {};
  const roomnum = roomnumOfSrcRequest(body.SrcRequest, ctx);
  const errorCode = lenientInteger(body.ErrorCode);
  // Stored as int4 (the index's result): a code beyond it can never be recorded.
  if (errorCode === undefined || Math.abs(errorCode) > INT32_MAX) return reject(ctx, FieldText.imErrorCode.invalid);
  if (typeof body.ErrorInfo !== "string" || !isStorableText(body.ErrorInfo)) return reject(ctx, FieldText.imErrorInfo.invalid);
  return { roomnum, errorCode, errorInfo: body.ErrorInfo, built: errorCode === 0 ? builtIndexOf(body.ReplayIndex, ctx) : undefined };
}), callbackFields);

export const indexFileCallbackCommand = defineCommand({
  name: "live.idxfileendcall",
  dialect: "classroom",
  envelope: "imCallback",
  summary:
    "the replay index service's callback: `ErrorCode` 0 with `ReplayIndex.FileUrl` makes the class replayable (state 3); an error is recorded and asked again; answers `{ActionStatus, ErrorCode, ErrorInfo}`",
  auth: "signed",
  access: tencentImCallback,
  input: callbackInput,
  run: ({ services }, input) => services.replayIndex.indexFileBuilt(input),
  rest: { method: "post", path: "/callbacks/replay-index", input: {}, bodyIsInput: true },
});
