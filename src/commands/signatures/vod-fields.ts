import { z } from "zod";
import { FieldText } from "../../errors";
import { anyObject, str, strOneOf } from "../fields";

/** The fields vod.get_sign and vod.cmd_proxy share, in the original's check order (protocol.md §11.2, §6.17). */
export const vodRequestFields = {
  method: strOneOf(FieldText.method, ["GET", "POST"] as const),
  host: str(FieldText.host, { maxLength: 255 }),
  path: str(FieldText.path, { maxLength: 255 }),
  params: anyObject(FieldText.params).superRefine((params, ctx) => {
    const method = params.SignatureMethod;
    if (method !== undefined && method !== "HmacSHA1" && method !== "HmacSHA256") ctx.addIssue({ code: "custom", message: FieldText.signatureMethod.invalid });
  }),
};

export const vodRequestSchema = z.object(vodRequestFields);
