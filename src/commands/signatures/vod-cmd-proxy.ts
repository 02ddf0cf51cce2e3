import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { teacher } from "../access";
import { defineCommand } from "../command";
import { bodyFields } from "../rest-mapping";
import { vodRequestFields } from "./vod-fields";

export const vodCmdProxyCommand = defineCommand({
  name: "vod.cmd_proxy",
  dialect: "classroom",
  summary: "forwards a VOD action with the server's credentials: v2 `DescribeVodInfo`, `GetVideoInfo`; v3 `DescribeMediaInfos`, `SearchMedia`, `DeleteMedia` (own media)",
  auth: "token",
  access: teacher(Errors.onlyTeacherProxiesVod),
  input: z.object({
    ...vodRequestFields,
    params: vodRequestFields.params.superRefine((params, ctx) => {
      if (params.Action === undefined || params.Action === null) ctx.addIssue({ code: "custom", message: FieldText.action.lack });
      else if (typeof params.Action !== "string") ctx.addIssue({ code: "custom", message: FieldText.action.invalid });
    }),
  }),
  run: ({ user, services }, input) => services.signatures.vodProxy(user, input),
  // As the original: no data when Tencent said nothing but its code and message.
  output: z.record(z.string(), z.unknown()).meta({ description: "VOD's answer, as VOD gave it" }),
  present: (data) => data,
  rest: { method: "post", path: "/vod/commands", input: bodyFields("method", "host", "path", "params") },
});
