import { z } from "zod";
import { FieldText } from "../../errors";
import { MAX_PAGE_SIZE } from "../../services/domain";
import { anyUser } from "../access";
import { defineCommand } from "../command";
import { pagingFields } from "../fields";
import { AddressesShape, pageShape, presentAddresses } from "../live/presenters";
import { restPaging } from "../rest-mapping";

/** The app's classes relayed to CDN now, newest push first. */
export const liveStreamListCommand = defineCommand({
  name: "live.livestreamlist",
  dialect: "classroom",
  summary: "the classes relayed to CDN now, paged by `index`, `size`: `{uid, roomnum, title, cover, address, address2, address3}`",
  auth: "token",
  access: anyUser,
  input: z.object(pagingFields(FieldText, MAX_PAGE_SIZE)),
  run: ({ app, services }, input) => services.relay.pushing(app, input.index, input.size),
  output: pageShape("videos", z.object({ uid: z.string(), roomnum: z.int(), title: z.string(), cover: z.string(), ...AddressesShape.shape })),
  present: ({ total, streams }) => ({
    total,
    videos: streams.map(({ course, liveUrls }) => ({ uid: course.hostUid, roomnum: course.roomnum, title: course.title, cover: course.cover, ...presentAddresses(liveUrls) })),
  }),
  rest: { method: "get", path: "/streams", input: restPaging },
});
