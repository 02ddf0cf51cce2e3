import { z } from "zod";
import { FieldText } from "../../errors";
import { ALL_ROOM_PRIVILEGES } from "../../services/domain";
import { credentialLimits, idRules, passwordRules } from "../account/rules";
import { anyone } from "../access";
import { defineCommand } from "../command";
import { int, optionalInt, reject, str, withFieldNames } from "../fields";

const T = FieldText.live;
const UINT32_MAX = 4294967295;

/** The privilege flags the original read when no `privMap` is sent, bit 0 first (TLSSigAPIv2's bits). */
const PRIVILEGE_FLAGS = ["UPB_CREATE", "UPB_ENTER", "UPB_SEND_AUDIO", "UPB_RECV_AUDIO", "UPB_SEND_VIDEO", "UPB_RECV_VIDEO", "UPB_SEND_ASSIST", "UPB_RECV_ASSIST"] as const;

/** `identifier`: a non-empty string, or an integer taken as its text (web demos send numeric ids). */
const identifier = z.unknown().transform((value, ctx): string => {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  const checked = str(T.identifier, idRules).safeParse(text);
  return checked.success ? checked.data : reject(ctx, checked.error.issues[0]?.message);
});

/** The privileges asked for: `privMap`, else the UPB_* flags ("1"/1 each), else all of them. */
function privilegesOf(fields: Record<string, unknown>, privMap: number | undefined): number {
  if (privMap !== undefined) return privMap;
  const flags = PRIVILEGE_FLAGS.filter((name) => fields[name] !== undefined);
  if (flags.length === 0) return ALL_ROOM_PRIVILEGES;
  return PRIVILEGE_FLAGS.reduce((bits, name, bit) => (fields[name] === "1" || fields[name] === 1 ? bits | (1 << bit) : bits), 0);
}

/**
 * iOS and Mac call it after login, before they create or enter a room, and use its token from
 * then on: a real login (unlike the original, the password is checked) and Tencent's privilege
 * map key for that room (`privMapEncrypt`), made as Tencent's TLSSigAPIv2 makes it.
 */
export const liveAuthPrivMapCommand = defineCommand({
  name: "account.authPrivMap",
  dialect: "live",
  summary: "`identifier`, `pwd`, `roomnum`, `privMap` (or the `UPB_*` flags; all by default), `accounttype` → a login's `userSig` and `token`, and `privMapEncrypt`: Tencent's privilege map key of that room (600 s)",
  auth: "none",
  access: anyone,
  limits: credentialLimits("identifier"),
  input: withFieldNames(
    z
    .object({
      // The original's check order: pwd, roomnum, identifier.
      pwd: str(FieldText.pwd, passwordRules),
      roomnum: int({ lack: T.roomnum.lack, invalid: T.roomnum.invalidSpaced }, { min: 1, max: UINT32_MAX }),
      identifier,
      // Any integer, written as its low 32 bits as the original packed it: the PC client sends -1 (all bits, a qint64).
      privMap: optionalInt(T.privMap, { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      accounttype: optionalInt(T.accountType, { min: 0, max: UINT32_MAX }),
    })
    .loose()
    .transform((input) => ({
      id: input.identifier,
      pwd: input.pwd,
      roomnum: input.roomnum,
      privilegeMap: privilegesOf(input, input.privMap),
      accountType: input.accounttype ?? 0,
    })),
    ["pwd", "roomnum", "identifier", "privMap", "accounttype", ...PRIVILEGE_FLAGS],
  ),
  run: ({ app, services }, input) => services.accounts.loginWithPrivilegeMap(app, input),
  present: (result) => ({ userSig: result.userSig, token: result.token, privMap: result.privilegeMap, privMapEncrypt: result.privMapEncrypt }),
});
