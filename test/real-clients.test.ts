import { createHash } from "node:crypto";
import { liveCallbackSignature } from "./support/callbacks";
import { TEST_CALLBACK_KEY, TEST_CLOUD } from "./support/env";
import { startTestServer, type TestServer } from "./support/harness";

/**
 * Every real 随心播 live client of live-protocol.md §C, against the server on its DEFAULT settings
 * (no LIVE_PATHS, no LIVE_APPID: only SDK_APPS names the apps the clients are built with, as a
 * deployment does). Each section replays one client: its path, method, Content-Type, body text
 * (its serializer's own layout, field order and types, extra fields included) and call order
 * (§C.5), and reads every answer through a small model of that client's parser, which fails the
 * test where the client would fail. Heartbeats follow each client's order, not its clock; the
 * reaper is swept one client interval later to show its cadence keeps it listed.
 *
 * The fixtures are transcribed from the clients' public sources, cited beside each one:
 * zhaoyang21cn/iLiveSDK_Android_Suixinbo, zhaoyang21cn/iLiveSDK_iOS_Suixinbo,
 * zhaoyang21cn/iLiveSDK_Mac_Suixinbo, zhaoyang21cn/iLiveSDK_PC_Suixinbo,
 * joshua317/iLiveSDK_Web_Suixinbo, and the Vue/axios WebRTC page of §C.1.
 */

// ─── The apps the clients are built with ────────────────────────────────────────────────────────

/** The 随心播 demo app: Android Constants.SDK_APPID, iOS/Mac ShowAppId, PC SuixinboAppid, demo.js and WebRTC sdkAppID. */
const SXB_APP = { sdkAppId: 1400027849, secretKey: "secret-key-of-the-suixinbo-demo-app", admin: "administrator" };
/** Its account type (ShowAccountType, SuixinboAccountType), which authPrivMap's callers send. */
const SXB_ACCOUNT_TYPE = 11656;
/** The Vue/axios WebRTC "quick" page's app (its ACCOUNTTYPE 14418 is the account type of 1400037025). */
const QUICK_APP = { sdkAppId: 1400037025, secretKey: "secret-key-of-the-webrtc-quick-app", admin: "administrator" };
/** The covers bucket: LIVE_COVER_BUCKET defaults to COS_BUCKET. */
const COVERS_BUCKET = TEST_CLOUD.buckets[0]!;

let t: TestServer;

beforeAll(async () => {
  // The defaults, but for the apps: the first is the one Android's login (no appid) lands in.
  t = await startTestServer({ SDK_APPS: JSON.stringify([SXB_APP, QUICK_APP]) });
  await t.server.reaper.sweep(Date.now()); // a fresh Redis: the first sweep builds presence
});
afterAll(() => t.close());

// ─── The wire ───────────────────────────────────────────────────────────────────────────────────

/** A request exactly as a client puts it on the wire (no header the client does not set). */
interface Wire {
  method: "GET" | "POST";
  path: string;
  contentType?: string;
  body?: string;
}

/** What every client receives: a status, a Content-Type, a body. */
interface HttpAnswer {
  status: number;
  contentType: string | null;
  text: string;
}

async function send(svc: string, cmd: string, wire: Wire): Promise<HttpAnswer> {
  const headers: Record<string, string> = wire.contentType === undefined ? {} : { "content-type": wire.contentType };
  const response = await fetch(`${t.url}${wire.path}?svc=${svc}&cmd=${cmd}`, { method: wire.method, headers, body: wire.body });
  return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text() };
}

/** Where the real client fails (an exception, a failure callback, a crash): the test fails with the client's reason. */
class ClientFailure extends Error {}
const failAs = (client: string, why: string): never => {
  throw new ClientFailure(`${client} fails: ${why}`);
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

// ─── The clients' serializers ───────────────────────────────────────────────────────────────────

/** Android's org.json JSONObject.toString(): compact, keys in insertion order, "/" written "\/". */
const orgJson = (body: Json): string => JSON.stringify(body).replace(/\//g, "\\/");

/** An indented JSON writer: `indent` per level, `colon` between key and value. */
function indented(value: unknown, indent: string, colon: string, sortKeys: boolean, depth = 0): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  const inner = indent.repeat(depth + 1);
  const close = indent.repeat(depth);
  const write = (item: unknown) => indented(item, indent, colon, sortKeys, depth + 1);
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `[\n${value.map((item) => inner + write(item)).join(",\n")}\n${close}]`;
  const keys = Object.keys(value);
  if (sortKeys) keys.sort();
  const entries = keys.map((key) => `${inner}${JSON.stringify(key)}${colon}${write((value as Json)[key])}`);
  return keys.length === 0 ? "{}" : `{\n${entries.join(",\n")}\n${close}}`;
}

/** NSJSONSerialization with NSJSONWritingPrettyPrinted (iOS, Mac): two spaces, `"key" : value`, "/" written "\/"
 *  (an NSDictionary literal has no order: the source's order is kept). */
const nsJsonPretty = (body: Json): string => indented(body, "  ", " : ", false).replace(/\//g, "\\/");

/** QJsonDocument(QJsonObject::fromVariantMap(map)).toJson() (PC Qt): four spaces, `"key": value`, keys sorted
 *  (a QVariantMap is a QMap), a final newline. */
const qtJson = (body: Json): string => `${indented(body, "    ", ": ", true)}\n`;

// ─── Android: OkHttp + org.json + Gson (UserServerHelper.java) ──────────────────────────────────

/** UserServerHelper.SERVER and its MediaType JSON. */
const ANDROID_WIRE = { path: "/sxb_dev/index.php", contentType: "application/json; charset=utf-8" };

/** Android's org.json JSONObject as UserServerHelper uses it: any JSONException ends the helper with null (a failure). */
class AndroidJson {
  private constructor(private readonly fields: Json) {}

  /** `(JSONObject) new JSONTokener(res).nextValue()`; post() hands over "" for an answer that is not 2xx. */
  static read(answer: HttpAnswer): AndroidJson {
    const text = answer.status >= 200 && answer.status < 300 ? answer.text : "";
    const value = parsed(text);
    if (!isObject(value)) return failAs("Android", `JSONTokener gives no JSONObject from ${JSON.stringify(text.slice(0, 80))}`);
    return new AndroidJson(value);
  }

  /** JSONArray.getJSONObject(i). */
  static element(array: unknown[], index: number): AndroidJson {
    const value = array[index];
    return isObject(value) ? new AndroidJson(value) : failAs("Android", `JSONArray[${index}] is not a JSONObject`);
  }

  private get(key: string): unknown {
    if (!(key in this.fields)) return failAs("Android", `JSONObject["${key}"] not found`);
    return this.fields[key];
  }

  /** JSON.toInteger: a number, or a string that parses as one. */
  getInt(key: string): number {
    const value = this.get(key);
    const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
    return Number.isFinite(number) ? Math.trunc(number) : failAs("Android", `JSONObject["${key}"] is not an int: ${JSON.stringify(value)}`);
  }

  /** Android's getString coerces any present value to text (JSON.toString) but throws when the key is missing. */
  getString(key: string): string {
    const value = this.get(key);
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return JSON.stringify(value); // an object's text, or "null"
  }

  optString(key: string): string {
    return key in this.fields ? this.getString(key) : "";
  }

  getJSONObject(key: string): AndroidJson {
    const value = this.get(key);
    return isObject(value) ? new AndroidJson(value) : failAs("Android", `JSONObject["${key}"] is not a JSONObject: ${JSON.stringify(value)}`);
  }

  getJSONArray(key: string): unknown[] {
    const value = this.get(key);
    return Array.isArray(value) ? value : failAs("Android", `JSONObject["${key}"] is not a JSONArray: ${JSON.stringify(value)}`);
  }
}

/** Gson's adapters for the model classes: a String field takes a string, number or boolean; an int field a number or
 *  a numeric string; anything else is a JsonSyntaxException. */
const gson = {
  string(value: unknown, field: string): string | null {
    if (value === null || value === undefined) return null;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
    return failAs("Android", `Gson: ${field} expected a String`);
  },
  int(value: unknown, field: string): number {
    if (value === null || value === undefined) return 0;
    const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
    return Number.isInteger(number) ? number : failAs("Android", `Gson: ${field} expected an int, got ${JSON.stringify(value)}`);
  },
};

/** model/RoomInfoJson.java as Gson fills it. */
function androidRooms(rooms: unknown[]) {
  return rooms.map((room) => {
    if (!isObject(room) || !isObject(room.info)) return failAs("Android", "Gson: RoomInfoJson expected an object with info");
    const { info } = room;
    return {
      uid: gson.string(room.uid, "uid"),
      info: {
        title: gson.string(info.title, "info.title"),
        roomnum: gson.int(info.roomnum, "info.roomnum"),
        type: gson.string(info.type, "info.type"),
        groupid: gson.string(info.groupid, "info.groupid"),
        cover: gson.string(info.cover, "info.cover"),
        thumbup: gson.int(info.thumbup, "info.thumbup"),
        memsize: gson.int(info.memsize, "info.memsize"),
      },
    };
  });
}

/** model/MemberID.java as Gson fills it. */
const androidMembers = (idlist: unknown[]) =>
  idlist.map((member) => (isObject(member) ? { id: gson.string(member.id, "id"), role: gson.int(member.role, "role") } : failAs("Android", "Gson: MemberID expected an object")));

/** model/RecordInfo.java's constructor: optString for the texts, getJSONArray("playurl"); a manual recording's name
 *  `sxb_<uid>_<name>` is split on "_" and its third part read (a shorter sxb_ name throws ArrayIndexOutOfBounds: a crash). */
function androidRecord(record: AndroidJson) {
  const playurl = record.getJSONArray("playurl");
  const name = record.optString("name");
  const parts = name.split("_");
  if (parts[0] === "sxb" && parts.length < 3) failAs("Android", `RecordInfo splits "${name}": ArrayIndexOutOfBoundsException`);
  return { uid: record.optString("uid"), cover: record.optString("cover"), videoId: record.optString("videoId"), playUrl: playurl.length > 0 ? String(playurl[0]) : undefined, name: parts[0] === "sxb" ? parts[2] : name };
}

/** One UserServerHelper call: every helper reads getInt("errorCode") and, but for getCosSig, getString("errorInfo"). */
async function android(svc: string, cmd: string, body: Json | "", readsErrorInfo = true) {
  const json = AndroidJson.read(await send(svc, cmd, { method: "POST", ...ANDROID_WIRE, body: body === "" ? "" : orgJson(body) }));
  return { code: json.getInt("errorCode"), errorInfo: readsErrorInfo ? json.getString("errorInfo") : undefined, json };
}

// ─── iOS and Mac: NSURLSession + NSJSONSerialization + NSObject+Json (WebService/) ──────────────

/** BaseRequest.hostUrl and WebServiceEngine's headers (the same in iOS and Mac). */
const APPLE_WIRE = { path: "/sxb_dev/index.php", contentType: "application/json; charset=UTF-8" };

/** What BaseRequest.parseDictionaryResponse keeps: errorCode by integerValue (a missing one is 0: success), errorInfo
 *  as it came, data as a dictionary. A body NSJSONSerialization cannot read, or that is not a dictionary, calls the
 *  failHandler ("返回数据非Json格式"). */
interface AppleAnswer {
  errorCode: number;
  errorInfo: unknown;
  data: Json | undefined;
  body: Json;
}

/** NSString/NSNumber integerValue: a number, or a string's leading integer (else 0). */
const integerValue = (value: unknown): number => {
  if (typeof value === "number") return Math.trunc(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") return Number.parseInt(value.trim(), 10) || 0;
  return 0;
};

/** One WebServiceEngine request: packageParams pretty-printed and POSTed; a request without params (nil) is a GET
 *  with no body and no Content-Type. */
async function apple(client: "iOS" | "Mac", svc: string, cmd: string, params?: Json): Promise<AppleAnswer> {
  const wire: Wire = params === undefined ? { method: "GET", path: APPLE_WIRE.path } : { method: "POST", ...APPLE_WIRE, body: nsJsonPretty(params) };
  const body = parsed((await send(svc, cmd, wire)).text);
  if (!isObject(body)) return failAs(client, "the answer is not a JSON dictionary (failHandler)");
  if (body.data !== undefined && body.data !== null && !isObject(body.data)) return failAs(client, "data is not a dictionary: [NSObject parse:dictionary:] sends objectForKey: to it (crash)");
  return { errorCode: integerValue(body.errorCode), errorInfo: body.errorInfo, data: isObject(body.data) ? body.data : undefined, body };
}

type ObjcProperty = "NSString" | "NSInteger";

/** NSObject+Json's KVC mapping onto a model class: an NSString property takes only a string (a number leaves it nil:
 *  undefined here); an NSInteger/int one a number or a numeric string (KVC unboxes it). */
function kvc(client: string, dict: Json | undefined, properties: Record<string, ObjcProperty>): Record<string, string | number | undefined> {
  if (dict === undefined) return failAs(client, "no data dictionary");
  return Object.fromEntries(
    Object.entries(properties).map(([key, type]) => {
      const value = dict[key];
      if (type === "NSString") return [key, typeof value === "string" ? value : undefined];
      return [key, value === undefined || value === null ? 0 : integerValue(value)];
    }),
  );
}

/** A property the app hands on (a token into the next request's @{…} literal, a group id to IM): nil crashes or fails it. */
const needed = (client: string, model: Record<string, string | number | undefined>, key: string): string => {
  const value = model[key];
  return typeof value === "string" ? value : failAs(client, `${key} is nil (it did not arrive as a string)`);
};

/** RoomListRequest / RoomListRspData / TCShowLiveListItem / ShowRoomInfo (WebModels.h). */
function appleRooms(client: string, data: Json | undefined) {
  const list = kvc(client, data, { total: "NSInteger" });
  const rooms = Array.isArray(data?.rooms) ? data.rooms : [];
  return {
    total: list.total,
    rooms: rooms.map((room) => {
      const item = kvc(client, isObject(room) ? room : {}, { uid: "NSString" });
      const info = kvc(client, isObject(room) && isObject(room.info) ? room.info : {}, {
        title: "NSString",
        type: "NSString",
        roomnum: "NSInteger",
        groupid: "NSString",
        cover: "NSString",
        thumbup: "NSInteger",
        memsize: "NSInteger",
      });
      return { uid: item.uid, info };
    }),
  };
}

/** RoomMemListRspData / MemberListItem: `id` goes to setIdPropertyValue:, cast to NSString unchecked (a number there
 *  is an NSNumber the member list later treats as a string: a crash). */
function appleMembers(client: string, data: Json | undefined) {
  const idlist = Array.isArray(data?.idlist) ? data.idlist : failAs(client, "no idlist");
  return idlist.map((member) => {
    if (!isObject(member)) return failAs(client, "a member is not a dictionary");
    if (typeof member.id !== "string") return failAs(client, `member id ${JSON.stringify(member.id)} is not an NSString`);
    return { identifier: member.id, role: integerValue(member.role) };
  });
}

/** AuthResponseData: the token replaces the app's, privMapEncrypt becomes the AV room's authBuffer. */
const appleAuth = (client: string, answer: AppleAnswer) => {
  if (answer.errorCode !== 0) return failAs(client, `authPrivMap answered ${answer.errorCode} ${String(answer.errorInfo)} ("get authbuff fail")`);
  const data = kvc(client, answer.data, { userSig: "NSString", token: "NSString", privMap: "NSInteger", privMapEncrypt: "NSString" });
  return { token: needed(client, data, "token"), userSig: needed(client, data, "userSig"), privMap: data.privMap, privMapEncrypt: needed(client, data, "privMapEncrypt") };
};

// ─── PC Qt: QNetworkAccessManager + QJsonDocument (SxbServerHelper.cpp, NetworkHelper.cpp) ──────

/** SuixinboServerUrl (stdafx.h) and NetworkHelper::excutePost's header. */
const QT_WIRE = { path: "/sxb_dev/index.php", contentType: "application/octet-stream" };

/** SxbServerHelper::OnNetworkReply: a reply error (any non-2xx) is E_SxbNetReplyError; a body that is not a JSON object,
 *  or has no errorCode, is E_SxbJsonParseError; errorInfo is optional; data is read by toMap (anything but an object is
 *  an empty map). Values are QVariants: toInt/toUInt/toString convert leniently. */
async function qt(svc: string, cmd: string, body: Json) {
  const answer = await send(svc, cmd, { method: "POST", ...QT_WIRE, body: qtJson(body) });
  if (answer.status < 200 || answer.status >= 300) return failAs("PC Qt", `E_SxbNetReplyError (HTTP ${answer.status})`);
  const reply = parsed(answer.text);
  if (!isObject(reply)) return failAs("PC Qt", "E_SxbJsonParseError: the reply is not a JSON object");
  if (!("errorCode" in reply)) return failAs("PC Qt", "E_SxbJsonParseError: the reply has no errorCode");
  return { errorCode: qVariant.toInt(reply.errorCode), errorInfo: "errorInfo" in reply ? qVariant.toString(reply.errorInfo) : "", data: isObject(reply.data) ? reply.data : {} };
}

const qVariant = {
  toInt: (value: unknown): number => (typeof value === "number" ? Math.round(value) : typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : 0),
  toString: (value: unknown): string => (typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : ""),
  toList: (value: unknown): unknown[] => (Array.isArray(value) ? value : []),
  toMap: (value: unknown): Json => (isObject(value) ? value : {}),
};

/** MainWindow::OnSxbRoomList: total into pages of OnePageCout (10), then each room's fields by QVariant. */
function qtRooms(data: Json) {
  return {
    totalPages: Math.ceil(qVariant.toInt(data.total) / 10),
    rooms: qVariant.toList(data.rooms).map((room) => {
      const map = qVariant.toMap(room);
      const info = qVariant.toMap(map.info);
      return {
        szId: qVariant.toString(map.uid),
        info: { title: qVariant.toString(info.title), roomnum: qVariant.toInt(info.roomnum), type: qVariant.toString(info.type), groupid: qVariant.toString(info.groupid), cover: qVariant.toString(info.cover), thumbup: qVariant.toInt(info.thumbup), memsize: qVariant.toInt(info.memsize) },
      };
    }),
  };
}

/** Live::OnSxbRoomIdList: each member's id by toString, role by toInt. */
const qtMembers = (data: Json) =>
  qVariant.toList(data.idlist).map((member) => {
    const map = qVariant.toMap(member);
    return { szID: qVariant.toString(map.id), userType: qVariant.toInt(map.role) };
  });

// ─── Web demo (ActiveX iLiveSDK): XMLHttpRequest (suixinbo/js/demo.js ajaxPost) ─────────────────

/** demo.js g_serverUrl and ajaxPost's header. */
const WEB_DEMO_WIRE = { path: "/sxb_new/index.php", contentType: "application/x-www-form-urlencoded" };

/** ajaxPost: status 200 → JSON.parse(responseText) (a parse error is a toast) → `errorCode == 0` calls succ(rspJson),
 *  anything else toasts "错误码:…错误信息:…". */
async function webDemo(svc: string, cmd: string, body: Json): Promise<{ succeeded: boolean; rspJson: Json; toast?: string }> {
  const answer = await send(svc, cmd, { method: "POST", ...WEB_DEMO_WIRE, body: JSON.stringify(body) });
  if (answer.status !== 200) return failAs("Web demo", `toast "HTTP请求错误！错误码：${answer.status}"`);
  const rspJson = parsed(answer.text);
  if (!isObject(rspJson)) return failAs("Web demo", `toast "json解析出错" for ${answer.text.slice(0, 80)}`);
  // demo.js compares loosely (`== 0`): "0" would do too.
  if (rspJson.errorCode == 0) return { succeeded: true, rspJson };
  return { succeeded: false, rspJson, toast: `错误码:${String(rspJson.errorCode)} 错误信息:${String(rspJson.errorInfo)}` };
}

/** A call whose succ() callback the flow needs: rspJson, or the failure with the demo's toast. */
async function webDemoSucc(svc: string, cmd: string, body: Json): Promise<Json> {
  const answer = await webDemo(svc, cmd, body);
  return answer.succeeded ? answer.rspJson : failAs("Web demo", `toast "${answer.toast}"`);
}

// ─── WebRTC (jQuery): $.ajax (WebRTC/pc/assets/js/index.js, WebRTC/mobile/assets/js/index.js) ───

/** The pc page posts to /sxb_dev/, the mobile page to /sxb_new/ (no index.php); jQuery's default Content-Type. */
const WEBRTC_PC_WIRE = { path: "/sxb_dev/", contentType: "application/x-www-form-urlencoded; charset=UTF-8" };
const WEBRTC_MOBILE_WIRE = { path: "/sxb_new/", contentType: "application/x-www-form-urlencoded; charset=UTF-8" };

/** $.ajax({type: "POST", url, data: JSON.stringify(…)}) with no dataType: a non-2xx status calls `error`; otherwise
 *  jQuery converts the answer by its Content-Type, JSON only when the type says json (a JSON parse error calls
 *  `error` too), and `success(data)` gets the result: without a JSON type, the text itself. */
async function jquery(wire: { path: string; contentType: string }, svc: string, cmd: string, rawBody: string): Promise<unknown> {
  const answer = await send(svc, cmd, { method: "POST", ...wire, body: rawBody });
  if (answer.status < 200 || answer.status >= 300) return failAs("WebRTC (jQuery)", `error callback (HTTP ${answer.status})`);
  if (!/json/i.test(answer.contentType ?? "")) return answer.text;
  const data = parsed(answer.text);
  return data === undefined ? failAs("WebRTC (jQuery)", "error callback (parsererror)") : data;
}

/** The pages' success callbacks: `data && data.errorCode === 0`; else ajaxErrorCallback, whose only case is 10009:
 *  "登录态失效,请重新登录", store.clear() and a reload to the login page. */
function jqueryOutcome(data: unknown): { ok: true; data: Json } | { ok: false; loggedOut: boolean } {
  if (isObject(data) && data.errorCode === 0) return { ok: true, data };
  return { ok: false, loggedOut: isObject(data) && data.errorCode === 10009 };
}

const jqueryOk = (data: unknown): Json => {
  const outcome = jqueryOutcome(data);
  return outcome.ok ? outcome.data : failAs("WebRTC (jQuery)", `success callback sees ${typeof data === "string" ? `text, not JSON: ${data.slice(0, 60)}` : JSON.stringify(data)}`);
};

// ─── WebRTC (Vue/axios): axios.post (the quick page of §C.1) ────────────────────────────────────

/** SVRDOMAIN "https://sxb.qcloud.com/sxb_dev/"; axios sends a string body as a form. */
const AXIOS_WIRE = { path: "/sxb_dev/", contentType: "application/x-www-form-urlencoded" };

/** axios: a non-2xx status rejects; transformResponse JSON.parses a string body whatever its type. The page's
 *  response interceptor: errorCode 0 and 10003 pass silently, 10009 logs out, anything else toasts errorInfo. */
async function axiosPost(svc: string, cmd: string, body: Json): Promise<{ data: Json; interceptor: "silent" | "logout" | { toast: string } }> {
  const answer = await send(svc, cmd, { method: "POST", ...AXIOS_WIRE, body: JSON.stringify(body) });
  if (answer.status < 200 || answer.status >= 300) return failAs("WebRTC (axios)", `the promise rejects (HTTP ${answer.status})`);
  const data = parsed(answer.text);
  if (!isObject(data)) return failAs("WebRTC (axios)", `response.data is not an object: ${answer.text.slice(0, 80)}`);
  const interceptor = data.errorCode === 0 || data.errorCode === 10003 ? "silent" : data.errorCode === 10009 ? "logout" : { toast: String(data.errorInfo) };
  if (typeof interceptor === "object" && typeof data.errorInfo !== "string") return failAs("WebRTC (axios)", "the toast has no errorInfo text");
  return { data, interceptor };
}

// ─── Tencent's side ─────────────────────────────────────────────────────────────────────────────

/**
 * What an app's SDK does entering an AV room (createRoom, joinRoom): it shows Tencent its userSig and, when it has one,
 * the privilege map key (authBuffer, privateMapKey); the emulator checks both as Tencent does (/__simulate/enter-room).
 */
async function entersAvRoom(app: { sdkAppId: number }, identifier: string, userSig: string, roomnum: number, privilege: "create" | "enter", privateMapKey?: string) {
  const request = { sdkAppId: app.sdkAppId, identifier, userSig, privateMapKey, roomnum, privilege };
  const response = await fetch(`${t.tencent.url}/__simulate/enter-room`, { method: "POST", body: JSON.stringify(request) });
  return { status: response.status, body: (await response.json()) as Json };
}
const ADMITTED = { status: 200, body: { ok: true } };

/** A cover uploaded the way the apps' COS SDK does it (COS v4 JSON API) with the sign cos.get_sign handed out; COS's answer. */
async function uploadCover(sign: string, fileName: string): Promise<{ code: number; accessUrl?: string }> {
  const form = new FormData();
  form.set("op", "upload");
  form.set("filecontent", new Blob([Buffer.from("a cover jpeg")]), fileName);
  const response = await fetch(`${t.tencent.url}/files/v2/${TEST_CLOUD.appId}/${COVERS_BUCKET}/${fileName}`, { method: "POST", headers: { authorization: sign }, body: form });
  const answer = (await response.json()) as { code: number; data?: { access_url: string } };
  return { code: answer.code, accessUrl: answer.data?.access_url };
}

/** Tencent's recording notification (live.callback, event 100) of a room's bypass stream, as its console delivers it. */
async function tencentAnnouncesRecording(roomnum: number, hostUid: string, fileId: string): Promise<void> {
  const stream = `8888_${createHash("md5").update(`${roomnum}_${hostUid}_main`).digest("hex")}`;
  const event = {
    ...liveCallbackSignature(TEST_CALLBACK_KEY),
    event_type: 100,
    stream_id: stream,
    channel_id: stream,
    file_id: fileId,
    video_id: `200025724_${fileId}`,
    video_url: `http://200025724.vod.myqcloud.com/200025724_${fileId}.f0.mp4`,
    start_time: 1500000000,
    end_time: 1500000600,
    media_start_time: 0,
    file_size: 12345678,
    duration: 600,
    stream_param: `txSecret=x&txTime=5A&from=interactive&sdkappid=${SXB_APP.sdkAppId}&sdkapptype=1&groupid=${roomnum}&ts=1&record=mp4`,
  };
  const answer = await t.call("live", "callback", event, { path: "/sxb/index.php" });
  expect(answer.body).toEqual({ code: 0, errorCode: 0, errorInfo: "" });
}

/** The reaper one client interval after the last beat (just before the next): a member beating at that cadence stays. */
const reaperAfter = (intervalS: number) => t.server.reaper.sweep(Date.now() + intervalS * 1000);

// ═══ Android ════════════════════════════════════════════════════════════════════════════════════

describe("Android: OkHttp posts compact org.json to /sxb_dev/index.php as application/json; charset=utf-8 (UserServerHelper.java)", () => {
  const host = { id: "droid-host", pwd: "droid-pass-1", token: "", userSig: "", roomnum: -1 }; // MySelfInfo: myRoomNum starts at -1
  const fan = { id: "droid-fan", pwd: "droid-pass-2", token: "", userSig: "", roomnum: -1 };
  let cover = "";

  test("registerId and loginId name no app: the demo app's account; userSig (what ILiveLoginManager logs in to IM with) and token are strings", async () => {
    for (const user of [host, fan]) {
      // registerId / loginId: {"id", "pwd"}
      const registered = await android("account", "regist", { id: user.id, pwd: user.pwd });
      expect(registered).toMatchObject({ code: 0, errorInfo: "" });
      const login = await android("account", "login", { id: user.id, pwd: user.pwd });
      expect(login.code).toBe(0);
      const data = login.json.getJSONObject("data");
      user.token = data.getString("token");
      user.userSig = data.getString("userSig");
    }
    // Registering again: the app shows errorInfo, so it must be there.
    expect(await android("account", "regist", { id: host.id, pwd: host.pwd })).toMatchObject({ code: 10004, errorInfo: "Register user id existed" });
  });

  test("getCosSig posts an empty body and reads data.sign; COS takes that sign for the cover upload", async () => {
    // UserServerHelper.getCosSig: post(GET_COS_SIG, "") — reads errorCode, then data.getString("sign"), never errorInfo.
    const answer = await android("cos", "get_sign", "", false);
    expect(answer.code).toBe(0);
    const upload = await uploadCover(answer.json.getJSONObject("data").getString("sign"), "droid-cover.jpg");
    expect(upload.code).toBe(0);
    cover = upload.accessUrl!;
  });

  test("going live: applyCreateRoom reads roomnum by getInt and groupid by getString; the room report carries lbs (LiveHelper.notifyNewRoomInfo)", async () => {
    const created = await android("live", "create", { type: "live", token: host.token });
    expect(created.code).toBe(0);
    const data = created.json.getJSONObject("data");
    host.roomnum = data.getInt("roomnum");
    expect(data.getString("groupid")).toBe(String(host.roomnum));
    // LiveHelper.createRoom: the AV room, by the userSig (authBits AUTH_BITS_DEFAULT, no privilege map key).
    expect(await entersAvRoom(SXB_APP, host.id, host.userSig, host.roomnum, "create")).toEqual(ADMITTED);
    const report = {
      token: host.token,
      room: { title: "安卓晚间直播", roomnum: host.roomnum, type: "live", groupid: `${host.roomnum}`, cover, appid: SXB_APP.sdkAppId, device: 1, videotype: 0 },
      lbs: { longitude: 113.94, latitude: 22.54, address: "深圳市南山区" },
    };
    expect(await android("live", "reportroom", report)).toMatchObject({ code: 0, errorInfo: "" });
  });

  test("the host's timer (LiveActivity, first at 100 ms then every 5 s): heartBeater(1) with its room, then getMemberList", async () => {
    for (const thumbup of [0, 2]) {
      expect(await android("live", "heartbeat", { role: 1, token: host.token, roomnum: host.roomnum, thumbup })).toMatchObject({ code: 0, errorInfo: "" });
      const members = await android("live", "roomidlist", { token: host.token, roomnum: host.roomnum, index: 0, size: 40 });
      expect(members.code).toBe(0);
      expect(androidMembers(members.json.getJSONObject("data").getJSONArray("idlist"))).toEqual([{ id: host.id, role: 1 }]);
    }
  });

  test("a viewer: getRoomList (Gson RoomInfoJson) shows the room with its cover and thumbs-up; reportMe(0, 0) joins", async () => {
    // getRoomList: token, type, index, size, appid (int).
    const list = await android("live", "roomlist", { token: fan.token, type: "live", index: 0, size: 20, appid: SXB_APP.sdkAppId });
    expect(list.code).toBe(0);
    const rooms = androidRooms(list.json.getJSONObject("data").getJSONArray("rooms"));
    expect(rooms).toContainEqual({ uid: host.id, info: { title: "安卓晚间直播", roomnum: host.roomnum, type: "live", groupid: String(host.roomnum), cover, thumbup: 2, memsize: 1 } });
    // reportMe(role, action): token, roomnum (CurLiveInfo), id, role, operate.
    expect(await android("live", "reportmemid", { token: fan.token, roomnum: host.roomnum, id: fan.id, role: 0, operate: 0 })).toMatchObject({ code: 0, errorInfo: "" });
    expect(await entersAvRoom(SXB_APP, fan.id, fan.userSig, host.roomnum, "enter")).toEqual(ADMITTED); // LiveHelper.joinRoom
  });

  test("the viewer's timer: heartBeater(0) sends roomnum -1 (only a host's own number is ever set); it stays listed at that cadence", async () => {
    expect(await android("live", "heartbeat", { role: 0, token: fan.token, roomnum: fan.roomnum, thumbup: 0 })).toMatchObject({ code: 0, errorInfo: "" });
    await reaperAfter(5);
    const members = await android("live", "roomidlist", { token: fan.token, roomnum: host.roomnum, index: 0, size: 40 });
    expect(androidMembers(members.json.getJSONObject("data").getJSONArray("idlist"))).toEqual(
      expect.arrayContaining([
        { id: host.id, role: 1 },
        { id: fan.id, role: 0 },
      ]),
    );
    // On mic (upMemberVideo sets idStatus VIDEO_MEMBER): the next beats say role 2, still with -1.
    expect((await android("live", "heartbeat", { role: 2, token: fan.token, roomnum: fan.roomnum, thumbup: 0 })).code).toBe(0);
    const onMic = await android("live", "roomidlist", { token: fan.token, roomnum: host.roomnum, index: 0, size: 40 });
    expect(androidMembers(onMic.json.getJSONObject("data").getJSONArray("idlist"))).toContainEqual({ id: fan.id, role: 2 });
  });

  test("the play and record lists: getPlayUrlList, getRoomPlayUrl's address, reporNewtRecordInfo, getRecordList (RecordInfo)", async () => {
    expect((await android("live", "livestreamlist", { token: fan.token, index: 0, size: 10 })).code).toBe(0);
    // getRoomPlayUrl reads errorCode then data.getString("address").
    const playUrl = await android("live", "getroomplayurl", { token: fan.token, roomnum: host.roomnum });
    expect(playUrl.json.getJSONObject("data").getString("address")).toMatch(/^rtmp:\/\/8888\.liveplay\.myqcloud\.com\/live\/8888_[0-9a-f]{32}$/);
    await tencentAnnouncesRecording(host.roomnum, host.id, "droid-file");
    // LiveHelper.notifyNewRecordInfo: token, roomnum, uid, name ("sxb_<uid>_<name>"), type 0, cover.
    const recordName = `sxb_${host.id}_evening`;
    const reported = await android("live", "reportrecord", { token: host.token, roomnum: host.roomnum, uid: host.id, name: recordName, type: 0, cover });
    expect(reported).toMatchObject({ code: 0, errorInfo: "" });
    // getRecordList(page, size, key): token, type (VOD_MODE 0), index (the page), s_uid, size.
    const list = await android("live", "recordlist", { token: fan.token, type: 0, index: 1, s_uid: host.id, size: 15 });
    expect(list.code).toBe(0);
    const videos = list.json.getJSONObject("data").getJSONArray("videos");
    expect(videos.map((_video, i) => androidRecord(AndroidJson.element(videos, i)))).toEqual([
      { uid: host.id, cover, videoId: "200025724_droid-file", playUrl: "http://200025724.vod.myqcloud.com/200025724_droid-file.f0.mp4", name: "evening" },
    ]);
  });

  test("leaving and closing: reportMe(0, 1), notifyCloseLive (the room leaves the list)", async () => {
    expect(await android("live", "reportmemid", { token: fan.token, roomnum: host.roomnum, id: fan.id, role: 0, operate: 1 })).toMatchObject({ code: 0, errorInfo: "" });
    // notifyCloseLive: token, roomnum (MySelfInfo.myRoomNum), type.
    expect(await android("live", "exitroom", { token: host.token, roomnum: host.roomnum, type: "live" })).toMatchObject({ code: 0, errorInfo: "" });
    const list = await android("live", "roomlist", { token: fan.token, type: "live", index: 0, size: 20, appid: SXB_APP.sdkAppId });
    expect(androidRooms(list.json.getJSONObject("data").getJSONArray("rooms")).map((room) => room.info.roomnum)).not.toContain(host.roomnum);
  });

  test("the former host watches the fan's room: its beats carry the room it last hosted (myRoomNum is never reset); it stays listed", async () => {
    const created = await android("live", "create", { type: "live", token: fan.token });
    fan.roomnum = created.json.getJSONObject("data").getInt("roomnum");
    const room = { title: "粉丝的直播", roomnum: fan.roomnum, type: "live", groupid: `${fan.roomnum}`, cover: "", appid: SXB_APP.sdkAppId, device: 1, videotype: 0 };
    expect((await android("live", "reportroom", { token: fan.token, room, lbs: { longitude: 0, latitude: 0, address: "" } })).code).toBe(0);
    expect((await android("live", "reportmemid", { token: host.token, roomnum: fan.roomnum, id: host.id, role: 0, operate: 0 })).code).toBe(0);
    expect(await entersAvRoom(SXB_APP, host.id, host.userSig, fan.roomnum, "enter")).toEqual(ADMITTED);
    expect(await android("live", "heartbeat", { role: 0, token: host.token, roomnum: host.roomnum, thumbup: 0 })).toMatchObject({ code: 0, errorInfo: "" });
    await reaperAfter(5);
    const members = await android("live", "roomidlist", { token: host.token, roomnum: fan.roomnum, index: 0, size: 40 });
    expect(androidMembers(members.json.getJSONObject("data").getJSONArray("idlist"))).toEqual(
      expect.arrayContaining([
        { id: fan.id, role: 1 },
        { id: host.id, role: 0 },
      ]),
    );
    expect((await android("live", "exitroom", { token: fan.token, roomnum: fan.roomnum, type: "live" })).code).toBe(0);
  });

  test("logoutId {id, token}; a later call with the dead token still carries errorInfo (Android reads it on every answer)", async () => {
    for (const user of [host, fan]) expect(await android("account", "logout", { id: user.id, token: user.token })).toMatchObject({ code: 0, errorInfo: "" });
    expect(await android("live", "roomlist", { token: fan.token, type: "live", index: 0, size: 20, appid: SXB_APP.sdkAppId })).toMatchObject({ code: 10009, errorInfo: "Token expired" });
  });
});

// ═══ iOS and Mac ════════════════════════════════════════════════════════════════════════════════

/**
 * The flows of LiveViewController.m (iOS) and LiveWindowController.m (Mac), the same code: the host creates the room
 * (CreateRoomRequest), then on opening the live view calls authPrivMap (AuthRequest: identifier, pwd, appid, accounttype,
 * roomnum, privMap 255) and replaces its token with the answer's before creating the AV room and reporting it; a viewer
 * calls authPrivMap before joining. The live view also reports the member (reportMemberId) at once, with the token it
 * had: dispatched right after the AuthRequest, it reaches the server with the login token.
 */
function appleSection(client: "iOS" | "Mac", names: { host: string; fan: string }, sources: string) {
  describe(`${client}: NSJSONSerialization pretty-printed POSTs to /sxb_dev/index.php as application/json; charset=UTF-8, a bodyless GET for the COS sign (${sources})`, () => {
    const host = { id: names.host, pwd: `${names.host}-pass`, token: "", loginToken: "", userSig: "" };
    const fan = { id: names.fan, pwd: `${names.fan}-pass`, token: "", loginToken: "", userSig: "" };
    let roomnum = 0;
    let cover = "";
    const call = (svc: string, cmd: string, params?: Json) => apple(client, svc, cmd, params);

    test("RegistRequest {id, pwd}; LoginRequest {id, pwd, appid (an int)}: userSig and token NSStrings", async () => {
      for (const user of [host, fan]) {
        expect((await call("account", "regist", { id: user.id, pwd: user.pwd })).errorCode).toBe(0);
        const login = await call("account", "login", { id: user.id, pwd: user.pwd, appid: SXB_APP.sdkAppId });
        expect(login.errorCode).toBe(0);
        const data = kvc(client, login.data, { userSig: "NSString", token: "NSString" });
        user.token = user.loginToken = needed(client, data, "token");
        user.userSig = needed(client, data, "userSig"); // ILiveLoginManager logs in to IM with it
      }
    });

    test("LiveImageSignRequest has no params: a GET with no body; its sign uploads the cover", async () => {
      const answer = await call("cos", "get_sign");
      expect(answer.errorCode).toBe(0);
      const upload = await uploadCover(needed(client, kvc(client, answer.data, { sign: "NSString" }), "sign"), `${names.host}-cover.jpg`);
      expect(upload.code).toBe(0);
      cover = upload.accessUrl!;
    });

    test("the host: CreateRoomRequest (roomnum NSInteger, groupid an NSString for IM), then AuthRequest: the new token, a key Tencent admits for creating this room", async () => {
      const created = await call("live", "create", { token: host.token, type: "live" });
      expect(created.errorCode).toBe(0);
      const data = kvc(client, created.data, { roomnum: "NSInteger", groupid: "NSString" });
      roomnum = data.roomnum as number;
      expect(needed(client, data, "groupid")).toBe(String(roomnum));
      const auth = appleAuth(client, await call("account", "authPrivMap", { identifier: host.id, pwd: host.pwd, appid: SXB_APP.sdkAppId, accounttype: SXB_ACCOUNT_TYPE, roomnum, privMap: 255 }));
      // viewDidLoad's reportMemberId(roomnum, 0), role 1, left with the login token; its answer is ignored.
      await call("live", "reportmemid", { token: host.loginToken, id: host.id, roomnum, role: 1, operate: 0 });
      host.token = auth.token;
      expect(auth.privMap).toBe(255);
      // TILLiveManager createRoom with option.avOption.authBuffer = privMapEncrypt.
      expect(await entersAvRoom(SXB_APP, host.id, host.userSig, roomnum, "create", auth.privMapEncrypt)).toEqual(ADMITTED);
    });

    test("the host reports the room with the new token (ShowRoomInfo.toRoomDic: host \"\", device 0) and beats every 5 s, pulling the members each time", async () => {
      const room = { title: `${client} 直播`, type: "live", roomnum, groupid: String(roomnum), cover, host: "", appid: SXB_APP.sdkAppId, device: 0, videotype: 0 };
      const reported = await call("live", "reportroom", { token: host.token, room });
      expect({ errorCode: reported.errorCode, errorInfo: reported.errorInfo }).toEqual({ errorCode: 0, errorInfo: "" });
      // HostHeartBeatRequest: token, roomnum, role, thumbup; then RoomMemListRequest: token, roomnum, index 0, size 20.
      expect((await call("live", "heartbeat", { token: host.token, roomnum, role: 1, thumbup: 0 })).errorCode).toBe(0);
      const members = await call("live", "roomidlist", { token: host.token, roomnum, index: 0, size: 20 });
      expect(appleMembers(client, members.data)).toEqual([{ identifier: host.id, role: 1 }]);
    });

    test("a viewer: RoomListRequest (isIOS 1) shows the room as TCShowLiveListItem; AuthRequest for it; the member report; beats; on camera role 2", async () => {
      const list = await call("live", "roomlist", { token: fan.token, type: "live", index: 0, size: 20, appid: SXB_APP.sdkAppId, isIOS: 1 });
      expect(list.errorCode).toBe(0);
      const { total, rooms } = appleRooms(client, list.data);
      expect(total).toBeGreaterThanOrEqual(1);
      expect(rooms).toContainEqual({ uid: host.id, info: { title: `${client} 直播`, type: "live", roomnum, groupid: String(roomnum), cover, thumbup: 0, memsize: 1 } });
      // The member report reaches the server first here (see the race below): the login token still works.
      expect((await call("live", "reportmemid", { token: fan.loginToken, id: fan.id, roomnum, role: 0, operate: 0 })).errorCode).toBe(0);
      const auth = appleAuth(client, await call("account", "authPrivMap", { identifier: fan.id, pwd: fan.pwd, appid: SXB_APP.sdkAppId, accounttype: SXB_ACCOUNT_TYPE, roomnum, privMap: 255 }));
      fan.token = auth.token;
      expect(await entersAvRoom(SXB_APP, fan.id, fan.userSig, roomnum, "enter", auth.privMapEncrypt)).toEqual(ADMITTED);
      expect((await call("live", "heartbeat", { token: fan.token, roomnum, role: 0, thumbup: 0 })).errorCode).toBe(0);
      await reaperAfter(5);
      const members = await call("live", "roomidlist", { token: fan.token, roomnum, index: 0, size: 20 });
      expect(appleMembers(client, members.data)).toEqual(expect.arrayContaining([{ identifier: fan.id, role: 0 }]));
      // getCurCameraState: the viewer's beats now say role 2.
      expect((await call("live", "heartbeat", { token: fan.token, roomnum, role: 2, thumbup: 0 })).errorCode).toBe(0);
      expect(appleMembers(client, (await call("live", "roomidlist", { token: host.token, roomnum, index: 0, size: 20 })).data)).toContainEqual({ identifier: fan.id, role: 2 });
    });

    test("a viewer whose member report arrives after authPrivMap (both leave viewDidLoad together): it is still listed", async () => {
      const late = { id: `${names.fan}-late`, pwd: "late-pass" };
      expect((await call("account", "regist", late)).errorCode).toBe(0);
      const loginToken = needed(client, kvc(client, (await call("account", "login", { ...late, appid: SXB_APP.sdkAppId })).data, { token: "NSString" }), "token");
      const auth = appleAuth(client, await call("account", "authPrivMap", { identifier: late.id, pwd: late.pwd, appid: SXB_APP.sdkAppId, accounttype: SXB_ACCOUNT_TYPE, roomnum, privMap: 255 }));
      const report = await call("live", "reportmemid", { token: loginToken, id: late.id, roomnum, role: 0, operate: 0 }); // its failure is ignored
      expect((await call("live", "heartbeat", { token: auth.token, roomnum, role: 0, thumbup: 0 })).errorCode).toBe(0);
      const ids = appleMembers(client, (await call("live", "roomidlist", { token: host.token, roomnum, index: 0, size: 20 })).data).map((m) => m.identifier);
      if (!ids.includes(late.id)) failAs(client, `the viewer is not in the member list: its reportmemid, sent with the login token authPrivMap had just replaced, answered ${report.errorCode} ${String(report.errorInfo)}`);
    });

    test("the viewer leaves (reportMemberId operate 1); the host's recording shows in RecordListRequest's own parse; ExitRoomRequest; LogoutRequest", async () => {
      expect((await call("live", "reportmemid", { token: fan.token, id: fan.id, roomnum, role: 0, operate: 1 })).errorCode).toBe(0);
      expect(appleMembers(client, (await call("live", "roomidlist", { token: host.token, roomnum, index: 0, size: 20 })).data).map((m) => m.identifier)).not.toContain(fan.id);
      await tencentAnnouncesRecording(roomnum, host.id, `${names.host}-file`);
      // RecordReportRequest: token, roomnum, uid, name, type, cover ("" when nil).
      expect((await call("live", "reportrecord", { token: host.token, roomnum, uid: host.id, name: `sxb_${host.id}_show`, type: 0, cover })).errorCode).toBe(0);
      // RecordListRequest: token, type, index (pages from 1), size (the "数量" field, 15), s_uid (the "用户名" field).
      const list = await call("live", "recordlist", { token: fan.token, type: 0, index: 1, size: 15, s_uid: host.id });
      // parseDictionaryResponse reads `code`/`message` (absent: success), total only if an NSString (this version never
      // pages), and assigns each video's fields unchecked: the cell appends name, counts cover's length, asks
      // integerValue of createTime/duration/fileSize and plays playurl[0] as a URL string.
      const videos = Array.isArray(list.data?.videos) ? list.data.videos : failAs(client, "no videos");
      expect(integerValue(list.body.code)).toBe(0);
      expect(videos).toEqual([
        {
          uid: host.id,
          name: `sxb_${host.id}_show`,
          cover,
          videoId: `200025724_${names.host}-file`,
          playurl: [`http://200025724.vod.myqcloud.com/200025724_${names.host}-file.f0.mp4`],
          createTime: expect.any(Number),
          fileSize: 12345678,
          duration: 600,
        },
      ]);
      expect(integerValue(videos[0].createTime)).toBeGreaterThan(1_500_000_000);
      expect((await call("live", "exitroom", { token: host.token, roomnum, type: "live" })).errorCode).toBe(0);
      expect(appleRooms(client, (await call("live", "roomlist", { token: fan.token, type: "live", index: 0, size: 20, appid: SXB_APP.sdkAppId, isIOS: 1 })).data).rooms.map((r) => r.info.roomnum)).not.toContain(roomnum);
      for (const user of [host, fan]) expect((await call("account", "logout", { token: user.token })).errorCode).toBe(0);
    });
  });
}

appleSection("iOS", { host: "ios-host", fan: "ios-fan" }, "TILLiveSDKShow/WebService/*.m, Live/LiveViewController.m");
appleSection("Mac", { host: "mac-host", fan: "mac-fan" }, "SuixinboForMac/WebService/*.m, LiveUI/LiveWindowController.m");

// ═══ PC Qt ══════════════════════════════════════════════════════════════════════════════════════

describe("PC Qt: QJsonDocument-indented POSTs to /sxb_dev/index.php as application/octet-stream (SxbServerHelper.cpp, NetworkHelper.cpp, MainWindow.cpp, RoomListItem.cpp, Live.cpp)", () => {
  const host = { id: "qt-host", pwd: "qt-pass-1", token: "", userSig: "" };
  const fan = { id: "qt-fan", pwd: "qt-pass-2", token: "", userSig: "" };
  let roomnum = 0;
  /** AUTH_BITS_DEFAULT (0xFFFFFFFFFFFFFFFF, every privilege) as qint64: what sxbAuthPrivMap puts in privMap. */
  const AUTH_BITS_DEFAULT_AS_QINT64 = -1;

  test("Register and sxbLogin {id, pwd, appid as a string}: token and userSig by toString", async () => {
    for (const user of [host, fan]) {
      expect((await qt("account", "regist", { id: user.id, pwd: user.pwd })).errorCode).toBe(0);
      const login = await qt("account", "login", { id: user.id, pwd: user.pwd, appid: String(SXB_APP.sdkAppId) });
      expect(login.errorCode).toBe(0);
      user.token = qVariant.toString(login.data.token);
      user.userSig = qVariant.toString(login.data.userSig);
    }
  });

  test("the host: sxbCreateRoom (roomnum by toUInt, groupid asserted equal to its text), sxbAuthPrivMap (appid a string, privMap -1), then createRoom with the key", async () => {
    const created = await qt("live", "create", { token: host.token, type: "live" });
    expect(created.errorCode).toBe(0);
    roomnum = qVariant.toInt(created.data.roomnum);
    expect(qVariant.toString(created.data.groupid)).toBe(String(roomnum)); // assert(QString::number(roomnum) == szRoomId)
    const auth = await qt("account", "authPrivMap", {
      identifier: host.id,
      pwd: host.pwd,
      appid: String(SXB_APP.sdkAppId),
      accounttype: SXB_ACCOUNT_TYPE,
      roomnum,
      privMap: AUTH_BITS_DEFAULT_AS_QINT64,
    });
    // OnSxbAuthPrivMap: an error is "获取authBuffer失败" and no room.
    expect({ errorCode: auth.errorCode, errorInfo: auth.errorInfo }).toEqual({ errorCode: 0, errorInfo: "" });
    host.token = qVariant.toString(auth.data.token);
    host.userSig = qVariant.toString(auth.data.userSig);
    // iLiveCreateRoom: roomOption.privateMapKey = privMapEncrypt.
    expect(await entersAvRoom(SXB_APP, host.id, host.userSig, roomnum, "create", qVariant.toString(auth.data.privMapEncrypt))).toEqual(ADMITTED);
  });

  test("the host reports the room (appid a string, device 2, cover \"\"), reports itself (role 1, operate 0), then its 10 s timer: heartbeat with thumbup, roomidlist", async () => {
    const room = { title: "PC 直播", roomnum, type: "live", groupid: String(roomnum), cover: "", appid: String(SXB_APP.sdkAppId), device: 2, videotype: 0 };
    expect((await qt("live", "reportroom", { token: host.token, room })).errorCode).toBe(0);
    expect((await qt("live", "reportmemid", { token: host.token, id: host.id, roomnum, role: 1, operate: 0 })).errorCode).toBe(0);
    expect((await qt("live", "heartbeat", { token: host.token, roomnum, role: 1, thumbup: 0 })).errorCode).toBe(0);
    const members = await qt("live", "roomidlist", { token: host.token, roomnum, index: 0, size: 50 });
    expect(qtMembers(members.data)).toEqual([{ szID: host.id, userType: 1 }]);
  });

  test("a viewer: sxbRoomList (index = page × 10, appid a string) pages by total; clicking joins (reportmemid), then authPrivMap; beats without thumbup every 10 s", async () => {
    const list = await qt("live", "roomlist", { token: fan.token, type: "live", index: 0, size: 10, appid: String(SXB_APP.sdkAppId) });
    expect(list.errorCode).toBe(0);
    const { totalPages, rooms } = qtRooms(list.data);
    expect(totalPages).toBeGreaterThanOrEqual(1);
    expect(rooms).toContainEqual({ szId: host.id, info: { title: "PC 直播", roomnum, type: "live", groupid: String(roomnum), cover: "", thumbup: 0, memsize: 1 } });
    // RoomListItem::sxbWatcherJoinRoom, then (on success) sxbWatcherAuthPrivMap.
    expect((await qt("live", "reportmemid", { token: fan.token, id: fan.id, roomnum, role: 0, operate: 0 })).errorCode).toBe(0);
    const auth = await qt("account", "authPrivMap", { identifier: fan.id, pwd: fan.pwd, appid: String(SXB_APP.sdkAppId), accounttype: SXB_ACCOUNT_TYPE, roomnum, privMap: AUTH_BITS_DEFAULT_AS_QINT64 });
    expect({ errorCode: auth.errorCode, errorInfo: auth.errorInfo }).toEqual({ errorCode: 0, errorInfo: "" });
    fan.token = qVariant.toString(auth.data.token);
    fan.userSig = qVariant.toString(auth.data.userSig);
    expect(await entersAvRoom(SXB_APP, fan.id, fan.userSig, roomnum, "enter", qVariant.toString(auth.data.privMapEncrypt))).toEqual(ADMITTED);
    // Live::sxbHeartBeat: thumbup only for the creator.
    expect((await qt("live", "heartbeat", { token: fan.token, roomnum, role: 0 })).errorCode).toBe(0);
    await reaperAfter(10); // "随心播后台要求10秒上报一次心跳": a 10-second viewer stays listed
    expect(qtMembers((await qt("live", "roomidlist", { token: fan.token, roomnum, index: 0, size: 50 })).data)).toEqual(
      expect.arrayContaining([
        { szID: host.id, userType: 1 },
        { szID: fan.id, userType: 0 },
      ]),
    );
  });

  test("closing: the viewer's sxbWatcherOrJoinerQuitRoom (operate 1), the host's sxbCreatorQuitRoom (exitroom), sxbLogout", async () => {
    expect((await qt("live", "reportmemid", { token: fan.token, id: fan.id, roomnum, role: 0, operate: 1 })).errorCode).toBe(0);
    expect((await qt("live", "exitroom", { token: host.token, roomnum, type: "live" })).errorCode).toBe(0);
    // The viewer leaving a room already closed: OnSxbWatcherOrJoinerQuitRoom takes 0 or 10010 as done.
    expect([0, 10010]).toContain((await qt("live", "reportmemid", { token: fan.token, id: fan.id, roomnum, role: 0, operate: 1 })).errorCode);
    for (const user of [host, fan]) expect((await qt("account", "logout", { token: user.token })).errorCode).toBe(0);
  });
});

// ═══ Web demo (ActiveX iLiveSDK) ════════════════════════════════════════════════════════════════

describe("Web demo: XMLHttpRequest posts JSON.stringify text to /sxb_new/index.php as application/x-www-form-urlencoded (suixinbo/js/demo.js)", () => {
  const host = { id: "web-host", pwd: "web-pass-1", token: "", userSig: "" };
  const fan = { id: "web-fan", pwd: "web-pass-2", token: "", userSig: "" };
  let roomnum = 0;

  test("OnBtnReg and OnBtnLogin {id, pwd}: rspJson.data.token and userSig", async () => {
    for (const user of [host, fan]) {
      await webDemoSucc("account", "regist", { id: user.id, pwd: user.pwd });
      const data = (await webDemoSucc("account", "login", { id: user.id, pwd: user.pwd })).data as Json;
      user.token = data.token as string;
      user.userSig = data.userSig as string; // sdk.login(id, sig)
    }
    // A second registration is a toast with the server's text.
    expect((await webDemo("account", "regist", { id: host.id, pwd: host.pwd })).toast).toBe("错误码:10004 错误信息:Register user id existed");
  });

  test("OnBtnCreateRoom: create, then reportroom passes the answer's roomnum and groupid through as they came; report() and getUserList() at once then every 10 s", async () => {
    const data = (await webDemoSucc("live", "create", { type: "live", token: host.token })).data as Json;
    roomnum = data.roomnum as number;
    expect(await entersAvRoom(SXB_APP, host.id, host.userSig, roomnum, "create")).toEqual(ADMITTED); // sdk.createRoom(roomnum, "LiveMaster")
    const room = { title: `[Web随心播]${host.id}的直播间`, roomnum: data.roomnum, type: "live", groupid: data.groupid, appid: SXB_APP.sdkAppId, device: 2, videotype: 0 };
    await webDemoSucc("live", "reportroom", { token: host.token, room });
    await webDemoSucc("live", "heartbeat", { token: host.token, roomnum, role: 1, thumbup: 0 });
    const members = await webDemoSucc("live", "roomidlist", { token: host.token, roomnum, index: 0, size: 20 });
    expect((members.data as Json).idlist).toEqual([{ id: host.id, role: 1 }]);
  });

  test("a viewer: OnBtnGetList (size 30), OnBtnJoinRoom with the room number from the list's data-roomnum attribute (a string), beats and member list every 10 s", async () => {
    const list = await webDemoSucc("live", "roomlist", { type: "live", token: fan.token, index: 0, size: 30, appid: SXB_APP.sdkAppId });
    const room = ((list.data as Json).rooms as Json[]).find((r) => (r.info as Json).roomnum === roomnum);
    expect(room).toMatchObject({ uid: host.id, info: { title: `[Web随心播]${host.id}的直播间`, groupid: String(roomnum) } });
    const fromDom = String(roomnum);
    await webDemoSucc("live", "reportmemid", { token: fan.token, roomnum: fromDom, role: 0, operate: 0, id: fan.id });
    expect(await entersAvRoom(SXB_APP, fan.id, fan.userSig, roomnum, "enter")).toEqual(ADMITTED); // sdk.joinRoom(roomid, "Guest")
    await webDemoSucc("live", "heartbeat", { token: fan.token, roomnum: fromDom, role: 0, thumbup: 0 });
    await reaperAfter(10);
    const members = await webDemoSucc("live", "roomidlist", { token: fan.token, roomnum: fromDom, index: 0, size: 20 });
    expect((members.data as Json).idlist).toEqual(expect.arrayContaining([{ id: fan.id, role: 0 }]));
  });

  test("OnBtnQuitRoom: the viewer's reportmemid operate 1, the host's exitroom; OnBtnLogout", async () => {
    await webDemoSucc("live", "reportmemid", { token: fan.token, id: fan.id, roomnum: String(roomnum), role: 0, operate: 1 });
    await webDemoSucc("live", "exitroom", { token: host.token, type: "live", roomnum });
    for (const user of [host, fan]) await webDemoSucc("account", "logout", { token: user.token });
  });
});

// ═══ WebRTC (jQuery), pc and mobile pages ═══════════════════════════════════════════════════════

describe("WebRTC (jQuery): $.ajax posts JSON.stringify text as application/x-www-form-urlencoded; charset=UTF-8, pc page to /sxb_dev/, mobile page to /sxb_new/ (WebRTC/{pc,mobile}/assets/js/index.js)", () => {
  const pcHost = { id: "rtc-pc-host", pwd: "rtc-pass-1", token: "", userSig: "" };
  const mobileHost = { id: "rtc-mobile-host", pwd: "rtc-pass-2", token: "", userSig: "" };
  let pcRoom = 0;
  let mobileRoom = 0;
  /** The pc page's getRoomList body as written: `type` twice; JSON.stringify keeps the first key's place, the last value. */
  const pcRoomListBody = (token: string) => `{"type":1,"token":${JSON.stringify(token)},"index":0,"size":50,"appid":${SXB_APP.sdkAppId}}`;

  test("ilvbLogin {id, pwd, appid: parseInt(sdkAppID)} on each page: data.errorCode === 0 needs a JSON answer (jQuery converts by Content-Type)", async () => {
    for (const [wire, user] of [
      [WEBRTC_PC_WIRE, pcHost],
      [WEBRTC_MOBILE_WIRE, mobileHost],
    ] as const) {
      const registered = jqueryOk(await jquery(wire, "account", "regist", JSON.stringify({ id: user.id, pwd: user.pwd })));
      expect(registered.errorCode).toBe(0);
      const login = jqueryOk(await jquery(wire, "account", "login", JSON.stringify({ id: user.id, pwd: user.pwd, appid: SXB_APP.sdkAppId })));
      user.token = (login.data as Json).token as string;
      user.userSig = (login.data as Json).userSig as string;
    }
  });

  test("createRoom on the pc page: reportroom with groupid String(RoomNumber), then report() beats as role 2 (LiveGuest) every 10 s", async () => {
    pcRoom = (jqueryOk(await jquery(WEBRTC_PC_WIRE, "live", "create", JSON.stringify({ type: "live", token: pcHost.token }))).data as Json).roomnum as number;
    // initRTC (WebRTCAPI.init with the userSig), then WebRTCAPI.createRoom(String(RoomNumber)).
    expect(await entersAvRoom(SXB_APP, pcHost.id, pcHost.userSig, pcRoom, "create")).toEqual(ADMITTED);
    const report = { token: pcHost.token, room: { title: `[WebRTC]${pcHost.id}`, roomnum: pcRoom, type: "live", groupid: String(pcRoom), appid: SXB_APP.sdkAppId, device: 2, videotype: 0 } };
    expect(jqueryOk(await jquery(WEBRTC_PC_WIRE, "live", "reportroom", JSON.stringify(report))).errorCode).toBe(0);
    expect(jqueryOk(await jquery(WEBRTC_PC_WIRE, "live", "heartbeat", JSON.stringify({ token: pcHost.token, roomnum: pcRoom, role: 2, thumbup: 0 }))).errorCode).toBe(0);
    await reaperAfter(10);
  });

  test("createRoom on the mobile page: the same on /sxb_new/, beating as role 1 (LiveMaster)", async () => {
    const created = jqueryOk(await jquery(WEBRTC_MOBILE_WIRE, "live", "create", JSON.stringify({ type: "live", token: mobileHost.token })));
    mobileRoom = (created.data as Json).roomnum as number;
    expect(await entersAvRoom(SXB_APP, mobileHost.id, mobileHost.userSig, mobileRoom, "create")).toEqual(ADMITTED);
    const report = { token: mobileHost.token, room: { title: `[WebRTC]${mobileHost.id}`, roomnum: mobileRoom, type: "live", groupid: String(mobileRoom), appid: SXB_APP.sdkAppId, device: 2, videotype: 0 } };
    expect(jqueryOk(await jquery(WEBRTC_MOBILE_WIRE, "live", "reportroom", JSON.stringify(report))).errorCode).toBe(0);
    expect(jqueryOk(await jquery(WEBRTC_MOBILE_WIRE, "live", "heartbeat", JSON.stringify({ token: mobileHost.token, roomnum: mobileRoom, role: 1, thumbup: 0 }))).errorCode).toBe(0);
  });

  test("getRoomList: the pc page's body (type 1 after its duplicate key) and the mobile page's (type \"live\", size 30) both list both rooms; data.total is shown", async () => {
    const pcList = jqueryOk(await jquery(WEBRTC_PC_WIRE, "live", "roomlist", pcRoomListBody(pcHost.token)));
    const mobileList = jqueryOk(await jquery(WEBRTC_MOBILE_WIRE, "live", "roomlist", JSON.stringify({ type: "live", token: mobileHost.token, index: 0, size: 30, appid: SXB_APP.sdkAppId })));
    for (const list of [pcList, mobileList]) {
      const data = list.data as Json;
      const rooms = (data.rooms as Json[]).map((room) => ({ uid: room.uid, roomnum: (room.info as Json).roomnum, groupid: (room.info as Json).groupid }));
      expect(rooms).toEqual(expect.arrayContaining([{ uid: pcHost.id, roomnum: pcRoom, groupid: String(pcRoom) }, { uid: mobileHost.id, roomnum: mobileRoom, groupid: String(mobileRoom) }]));
      expect(typeof data.total).toBe("number");
    }
    // The body text as the source literal reads, with both keys, answers the same (a last-value-wins JSON reader).
    const duplicate = `{"type":"live","token":${JSON.stringify(pcHost.token)},"index":0,"size":50,"type":1,"appid":${SXB_APP.sdkAppId}}`;
    expect(jqueryOk(await jquery(WEBRTC_PC_WIRE, "live", "roomlist", duplicate))).toEqual(pcList);
  });

  test("the pc page's record page posts the same body to recordlist: type 1 is the VOD channel list; data.videos and data.total", async () => {
    t.tencent.vod.addMedia({ fileId: "5285890799999990001", name: `sxb_${pcHost.id}_replay`, url: "http://vod.example/rtc.mp4", duration: 42 });
    const records = jqueryOk(await jquery(WEBRTC_PC_WIRE, "live", "recordlist", pcRoomListBody(pcHost.token)));
    const data = records.data as Json;
    expect(data.videos).toContainEqual(expect.objectContaining({ uid: pcHost.id, name: `sxb_${pcHost.id}_replay`, playurl: ["http://vod.example/rtc.mp4"] }));
    expect(typeof data.total).toBe("number");
  });

  test("a login elsewhere ends the page's session: its next list answers 10009, which ajaxErrorCallback turns into a logout and a reload", async () => {
    jqueryOk(await jquery(WEBRTC_MOBILE_WIRE, "account", "login", JSON.stringify({ id: pcHost.id, pwd: pcHost.pwd, appid: SXB_APP.sdkAppId })));
    expect(jqueryOutcome(await jquery(WEBRTC_PC_WIRE, "live", "roomlist", pcRoomListBody(pcHost.token)))).toEqual({ ok: false, loggedOut: true });
  });
});

// ═══ WebRTC (Vue/axios) ═════════════════════════════════════════════════════════════════════════

describe("WebRTC (Vue/axios): axios.post sends JSON.stringify text to /sxb_dev/ as application/x-www-form-urlencoded; everything polls every 3 s (the quick page of §C.1)", () => {
  const host = { id: "quick-host", pwd: "quick-pass-1", token: "", userSig: "" };
  const fan = { id: "quick-fan", pwd: "quick-pass-2", token: "", userSig: "" };
  let roomnum = 0;

  test("register {id, pwd, appid} then login: the interceptor stays silent; the quick app's account", async () => {
    for (const user of [host, fan]) {
      expect(await axiosPost("account", "regist", { id: user.id, pwd: user.pwd, appid: QUICK_APP.sdkAppId })).toMatchObject({ interceptor: "silent", data: { errorCode: 0 } });
      const login = await axiosPost("account", "login", { id: user.id, pwd: user.pwd, appid: QUICK_APP.sdkAppId });
      expect(login.data.errorCode).toBe(0);
      user.token = (login.data.data as Json).token as string;
      user.userSig = (login.data.data as Json).userSig as string;
    }
    // register() on an existing account: the page logs it in (10004 shows no toast of its own, the interceptor does).
    expect((await axiosPost("account", "regist", { id: host.id, pwd: host.pwd, appid: QUICK_APP.sdkAppId })).interceptor).toEqual({ toast: "Register user id existed" });
  });

  test("createRoom, reportRoom (title \"[极速模式] …\", device 2), then heartBeatReport every 3 s as role 1 and the user list (size 40)", async () => {
    roomnum = ((await axiosPost("live", "create", { type: "live", token: host.token })).data.data as Json).roomnum as number;
    // initWebRTC (ILiveSDK.init with the quick app's userSig), then ILiveSDK.createRoom.
    expect(await entersAvRoom(QUICK_APP, host.id, host.userSig, roomnum, "create")).toEqual(ADMITTED);
    const report = { token: host.token, room: { title: "[极速模式] 周五晚课", roomnum, type: "live", groupid: String(roomnum), appid: QUICK_APP.sdkAppId, device: 2, videotype: 0 } };
    expect(await axiosPost("live", "reportroom", report)).toMatchObject({ interceptor: "silent" });
    expect((await axiosPost("live", "heartbeat", { token: host.token, roomnum, role: 1, thumbup: 0 })).interceptor).toBe("silent");
    expect(((await axiosPost("live", "roomidlist", { token: host.token, roomnum, index: 0, size: 40 })).data.data as Json).idlist).toEqual([{ id: host.id, role: 1 }]);
  });

  test("a viewer: getRoomList every 3 s (type 1, size 30); joining reports role 2 (LiveGuest) with parseInt(roomnum), then beats every 3 s", async () => {
    const list = await axiosPost("live", "roomlist", { type: 1, token: fan.token, index: 0, size: 30, appid: QUICK_APP.sdkAppId });
    const rooms = (list.data.data as Json).rooms as Json[];
    expect(rooms.filter((room) => room.info).map((room) => (room.info as Json).roomnum)).toContain(roomnum);
    // joinRoom: roomnum = String(data-roomnum attribute); reportJoinRoom: parseInt(opts.RoomNumber), Role["LiveGuest"].
    const roomFromAttribute = String(roomnum);
    expect(await entersAvRoom(QUICK_APP, fan.id, fan.userSig, roomnum, "enter")).toEqual(ADMITTED); // ILiveSDK.joinRoom
    expect((await axiosPost("live", "reportmemid", { token: fan.token, roomnum: Number.parseInt(roomFromAttribute, 10), role: 2, operate: 0 })).interceptor).toBe("silent");
    expect((await axiosPost("live", "heartbeat", { token: fan.token, roomnum: Number.parseInt(roomFromAttribute, 10), role: 2, thumbup: 0 })).interceptor).toBe("silent");
    await reaperAfter(3);
    const members = (await axiosPost("live", "roomidlist", { token: fan.token, roomnum: roomFromAttribute, index: 0, size: 40 })).data.data as Json;
    expect(members.idlist).toEqual(expect.arrayContaining([{ id: fan.id, role: 2 }]));
  });

  test("quitRoom: reportJoinRoom operate 1, whose answer restarts heartBeatReport: that stray beat does not put the viewer back", async () => {
    expect((await axiosPost("live", "reportmemid", { token: fan.token, roomnum, role: 2, operate: 1 })).interceptor).toBe("silent");
    expect((await axiosPost("live", "heartbeat", { token: fan.token, roomnum, role: 2, thumbup: 0 })).interceptor).toBe("silent");
    const members = (await axiosPost("live", "roomidlist", { token: host.token, roomnum, index: 0, size: 40 })).data.data as Json;
    expect((members.idlist as Json[]).map((m) => m.id)).not.toContain(fan.id);
  });

  test("the host's quitRoom also reports operate 1 (the page never calls exitroom); a stale token is 10009: the interceptor logs out", async () => {
    expect((await axiosPost("live", "reportmemid", { token: host.token, roomnum, role: 1, operate: 1 })).interceptor).toBe("silent");
    await axiosPost("account", "login", { id: fan.id, pwd: fan.pwd, appid: QUICK_APP.sdkAppId }); // the same account on another device
    expect((await axiosPost("live", "roomlist", { type: 1, token: fan.token, index: 0, size: 30, appid: QUICK_APP.sdkAppId })).interceptor).toBe("logout");
  });
});
