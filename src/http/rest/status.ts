import { ErrorCode, type ErrorCodeValue } from "../../errors";

/** The HTTP status the REST door answers for each protocol error code. */
const STATUS: Record<ErrorCodeValue, number> = {
  [ErrorCode.success]: 200,
  [ErrorCode.invalidRequest]: 404,
  [ErrorCode.requestJson]: 400,
  [ErrorCode.requestData]: 400,
  [ErrorCode.userExists]: 409,
  [ErrorCode.userNotExist]: 404,
  [ErrorCode.password]: 401,
  [ErrorCode.repeatLogout]: 401,
  [ErrorCode.tokenExpired]: 401,
  [ErrorCode.liveRoomNotExist]: 404,
  [ErrorCode.roomNotExist]: 404,
  [ErrorCode.noPrivilege]: 403,
  [ErrorCode.roomState]: 409,
  [ErrorCode.sendImMsg]: 502,
  [ErrorCode.repeatBind]: 409,
  [ErrorCode.resourceState]: 404,
  [ErrorCode.repeatExit]: 409,
  [ErrorCode.tooManyRequests]: 429,
  [ErrorCode.server]: 500,
};

export const httpStatusOf = (code: ErrorCodeValue): number => STATUS[code];

/** Statuses of the error kinds that have their own (the rest follow the code). */
export const STATUS_OF_KIND = { credentials: 401, bodyTooLarge: 413, bodyTimeout: 408, rateLimited: 429 } as const;
