import { createHash, createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";
import COS from "cos-nodejs-sdk-v5";
import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { OTHER_APP, TEST_CLOUD } from "./support/env";
import { capturingLogger } from "./support/logs";

/**
 * cos.get_sign, the v5 authorization, vod.get_sign, vod.get_client_sign and vod.cmd_proxy.
 * Every signature is recomputed here with node:crypto from Tencent's documented algorithm
 * (never by calling the server's code), and the Tencent emulator accepts what the server
 * signed; cos-nodejs-sdk-v5 acts as the app's client and as a second oracle.
 */

let t: TestServer;
let T: string;
let S: string;
const captured = capturingLogger("debug");
const logLines = captured.texts;

beforeAll(async () => {
  t = await startTestServer({}, { log: captured.log });
  T = await signUp(t, "teacher1", 1);
  S = await signUp(t, "student1", 0);
});
afterAll(() => t.close());

const call = (svc: string, cmd: string, token: string, fields: Record<string, unknown> = {}) => t.call(svc, cmd, { ...C, token, ...fields });
const invalid = (errorInfo: string) => ({ errorCode: 10003, errorInfo });
/** The folder of the callers' app: their own folders are under it. */
const APP = `/${C.appid}`;
const nowS = () => Math.floor(Date.now() / 1000);

/** A "MAC bytes then plain text" signature (COS v4, VOD upload), checked independently. */
function macThenPlain(sign: string): { plain: string; fields: Record<string, string> } {
  const raw = Buffer.from(sign, "base64");
  const plain = raw.subarray(20).toString("utf8");
  expect(raw.subarray(0, 20).equals(createHmac("sha1", TEST_CLOUD.secretKey).update(plain).digest())).toBe(true);
  return { plain, fields: Object.fromEntries(new URLSearchParams(plain)) };
}

describe("cos.get_sign (COS JSON API v4)", () => {
  test.each([
    [{}, "Lack of type"],
    [{ type: 2 }, "invalid type"],
    [{ type: "x" }, "invalid type"],
    [{ type: 0, bucket: 5 }, "invalid bucket"],
    [{ type: 0, bucket: "someone-elses" }, "invalid bucket"],
    [{ type: 1 }, "Lack of file_path"],
    [{ type: 1, file_path: "" }, "Lack of file_path"],
    [{ type: 1, file_path: 5 }, "invalid file_path"],
    [{ type: 0, file_path: "/a/../b" }, "invalid file_path"],
  ])("%j → %s", async (fields, text) => {
    expect((await call("cos", "get_sign", S, fields)).body).toEqual(invalid(text));
  });

  test("multi-use: valid COS_SIGN_EXPIRE_S (1 day), any path, region for the default bucket", async () => {
    const answer = await call("cos", "get_sign", S, { type: 0 });
    expect(answer.body.errorCode).toBe(0);
    expect(Object.keys(answer.body.data)).toEqual(["sign", "bucket", "region", "preview_tag"]);
    expect(answer.body.data).toMatchObject({ bucket: "sxbedu", region: "sh", preview_tag: "preview" });
    const { plain, fields } = macThenPlain(answer.body.data.sign as string);
    expect(plain).toMatch(/^a=\d+&k=[^&]+&e=\d+&t=\d+&r=\d+&f=&b=sxbedu$/);
    expect(fields).toMatchObject({ a: String(TEST_CLOUD.appId), k: TEST_CLOUD.secretId, f: "", b: "sxbedu" });
    expect(Number(fields.e) - Number(fields.t)).toBe(86400);
    expect(Math.abs(Number(fields.t) - nowS())).toBeLessThan(60);
  });

  test("another allowed bucket: no region (as the original); the path, with its leading slash", async () => {
    const answer = await call("cos", "get_sign", T, { type: 0, bucket: "other", file_path: "docs" });
    expect(answer.body.data).toMatchObject({ bucket: "other", region: "" });
    expect(macThenPlain(answer.body.data.sign as string).fields).toMatchObject({ b: "other", f: "/docs" });
  });

  test("single-use: a student only under its own folder /<sdkappid>/<uid>/, a teacher anywhere under its app's /<sdkappid>/; e=0 and f=/appid/bucket/path", async () => {
    const own = await call("cos", "get_sign", S, { type: 1, file_path: `${APP}/student1/a.ppt` });
    expect(macThenPlain(own.body.data.sign as string).fields).toMatchObject({ e: "0", f: `/${TEST_CLOUD.appId}/sxbedu${APP}/student1/a.ppt` });
    const foreign = await call("cos", "get_sign", S, { type: 1, file_path: `${APP}/teacher1/a.ppt` });
    expect(foreign.body).toEqual({ errorCode: 10101, errorInfo: "single-use signatures are only for files under your own folder." });
    expect((await call("cos", "get_sign", S, { type: 1, file_path: `${APP}/student1x/a.ppt` })).body.errorCode).toBe(10101);
    // The folder of the same uid without the app, or in another app, is not its own.
    expect((await call("cos", "get_sign", S, { type: 1, file_path: "/student1/a.ppt" })).body.errorCode).toBe(10101);
    expect((await call("cos", "get_sign", S, { type: 1, file_path: `/${OTHER_APP.sdkAppId}/student1/a.ppt` })).body.errorCode).toBe(10101);
    expect((await call("cos", "get_sign", T, { type: 1, file_path: `${APP}/student1/a.ppt` })).body.errorCode).toBe(0);
    const teacherElsewhere = await call("cos", "get_sign", T, { type: 1, file_path: `/${OTHER_APP.sdkAppId}/teacher1/a.ppt` });
    expect(teacherElsewhere.body).toEqual({ errorCode: 10101, errorInfo: "single-use signatures are only for files under your app's folder." });
    expect((await call("cos", "get_sign", T, { type: 1, file_path: "/teacher1/a.ppt" })).body.errorCode).toBe(10101);
  });

  const victim = `/${TEST_CLOUD.appId}/sxbedu${APP}/teacher1/a.ppt`;
  test.each([
    ["a second f", `${APP}/student1/a&f=${victim}`],
    ["a second b", `${APP}/student1/a&b=other`],
    ["an encoded dot segment", `${APP}/student1/%2e%2e/teacher1/a.ppt`],
    ["an encoded slash", `${APP}/student1/..%2fteacher1/a.ppt`],
    ["backslashes", `${APP}/student1/..\\teacher1\\a.ppt`],
    ["a newline", `${APP}/student1/a\nb`],
    ["a bidi override", `${APP}/student1/\u202egnp.exe`],
    ["a plus (read as a space by form decoders)", `${APP}/student1/a+b`],
    ["an empty segment", `${APP}/student1//a`],
  ])("single-use: %s in file_path is never signed → invalid file_path", async (_what, filePath) => {
    expect((await call("cos", "get_sign", S, { type: 1, file_path: filePath })).body).toEqual(invalid("invalid file_path"));
    expect((await call("cos", "get_sign", T, { type: 0, file_path: filePath })).body).toEqual(invalid("invalid file_path"));
  });

  /** An upload through the emulator's COS JSON API, as the apps' old COS SDK makes it. */
  async function v4Upload(bucket: string, path: string, sign: string, content = "courseware") {
    const form = new FormData();
    form.set("op", "upload");
    form.set("filecontent", new Blob([content]), "file");
    const response = await fetch(`${t.tencent.url}/files/v2/${TEST_CLOUD.appId}/${bucket}${path}`, { method: "POST", headers: { authorization: sign }, body: form });
    return { status: response.status, body: (await response.json()) as { code: number; message: string } };
  }

  test("the emulator's COS accepts uploads with what the server signed, and refuses other files, expired or forged signatures", async () => {
    const once = (await call("cos", "get_sign", S, { type: 1, file_path: `${APP}/student1/lesson.ppt` })).body.data.sign as string;
    expect((await v4Upload("sxbedu", `${APP}/student1/lesson.ppt`, once)).body.code).toBe(0);
    expect(t.tencent.cos.objects.get(`sxbedu${APP}/student1/lesson.ppt`)).toMatchObject({ size: 10, api: "v4" });
    expect((await v4Upload("sxbedu", `${APP}/student1/other.ppt`, once)).status).toBe(403);
    const multi = (await call("cos", "get_sign", T, { type: 0 })).body.data.sign as string;
    expect((await v4Upload("sxbedu", "/anything/x.mp4", multi)).body.code).toBe(0);
    expect((await v4Upload("other", "/anything/x.mp4", multi)).status).toBe(403); // signed for another bucket
    // An expired multi-use signature, made here by the documented algorithm.
    const t0 = nowS() - 7200;
    const expiredPlain = `a=${TEST_CLOUD.appId}&k=${TEST_CLOUD.secretId}&e=${t0 + 60}&t=${t0}&r=1&f=&b=sxbedu`;
    const expired = Buffer.concat([createHmac("sha1", TEST_CLOUD.secretKey).update(expiredPlain).digest(), Buffer.from(expiredPlain)]).toString("base64");
    expect((await v4Upload("sxbedu", "/a/b", expired)).body.message).toMatch(/expired/);
    const forged = Buffer.concat([createHmac("sha1", "not-the-key").update(expiredPlain).digest(), Buffer.from(expiredPlain)]).toString("base64");
    expect((await v4Upload("sxbedu", "/a/b", forged)).status).toBe(403);
  });

  test("the emulator's COS, as COS: a multi-use signature never overwrites a file, a single-use one of that file does", async () => {
    const multi = (await call("cos", "get_sign", S, { type: 0 })).body.data.sign as string;
    expect((await v4Upload("sxbedu", `${APP}/student1/kept.ppt`, multi, "first")).body.code).toBe(0);
    const again = await v4Upload("sxbedu", `${APP}/student1/kept.ppt`, multi, "second");
    expect(again.status).toBe(403);
    expect(again.body.message).toMatch(/single-use/);
    expect(t.tencent.cos.objects.get(`sxbedu${APP}/student1/kept.ppt`)!.body.toString()).toBe("first");
    const once = (await call("cos", "get_sign", S, { type: 1, file_path: `${APP}/student1/kept.ppt` })).body.data.sign as string;
    expect((await v4Upload("sxbedu", `${APP}/student1/kept.ppt`, once, "second")).body.code).toBe(0);
    expect(t.tencent.cos.objects.get(`sxbedu${APP}/student1/kept.ppt`)!.body.toString()).toBe("second");
  });

  test("the issue's exploit: a student's single-use signature never overwrites the teacher's file", async () => {
    const teachers = (await call("cos", "get_sign", T, { type: 1, file_path: `${APP}/teacher1/a.ppt` })).body.data.sign as string;
    expect((await v4Upload("sxbedu", `${APP}/teacher1/a.ppt`, teachers, "teacher's")).body.code).toBe(0);
    const answer = await call("cos", "get_sign", S, { type: 1, file_path: `${APP}/student1/a&f=${victim}` });
    expect(answer.body).toEqual(invalid("invalid file_path"));
    expect(t.tencent.cos.objects.get(`sxbedu${APP}/teacher1/a.ppt`)!.body.toString()).toBe("teacher's");
  });

  test("cos-nodejs-sdk-v5's own v4 signer, a second oracle, is accepted by the same check", async () => {
    const cos = new COS({ SecretId: TEST_CLOUD.secretId, SecretKey: TEST_CLOUD.secretKey });
    const sdkSign = cos.getV4Auth({ Bucket: `sxbedu-${TEST_CLOUD.appId}`, Key: "sdk/file.ppt", Expires: 600 });
    expect((await v4Upload("sxbedu", "/sdk/file.ppt", sdkSign)).body.code).toBe(0);
  });
});

describe("GET /api/v1/cos/authorization (COS XML API v5)", () => {
  const bucketHost = `sxbedu-${TEST_CLOUD.appId}.cos.ap-shanghai.myqcloud.com`;

  /** The v5 signature recomputed from the documented algorithm (spec/tencent-formats.md (d)), the host header signed. */
  function expectedV5(method: string, key: string, keyTime: string, host = bucketHost): string {
    const httpString = `${method.toLowerCase()}\n/${key}\n\nhost=${encodeURIComponent(host)}\n`;
    const stringToSign = `sha1\n${keyTime}\n${createHash("sha1").update(httpString).digest("hex")}\n`;
    const signKey = createHmac("sha1", TEST_CLOUD.secretKey).update(keyTime).digest("hex");
    return createHmac("sha1", signKey).update(stringToSign).digest("hex");
  }

  test("an authorization of one method on one key of the caller's folder and the bucket's host, valid COS_AUTH_EXPIRE_S", async () => {
    const answer = await t.rest("GET", `/cos/authorization?method=PUT&key=${C.appid}/student1/photo.png`, { token: S });
    expect(answer.status).toBe(200);
    // The XML API's name of the configured region (COS_REGION "sh" is the JSON API's name of ap-shanghai).
    expect(answer.body).toMatchObject({ bucket: `sxbedu-${TEST_CLOUD.appId}`, region: "ap-shanghai", key: `${C.appid}/student1/photo.png` });
    const auth = new URLSearchParams(answer.body.authorization as string);
    const keyTime = auth.get("q-key-time")!;
    const [start, end] = keyTime.split(";").map(Number);
    expect(end! - start!).toBe(600);
    expect(answer.body.expired_time).toBe(end);
    expect(auth.get("q-ak")).toBe(TEST_CLOUD.secretId);
    expect(auth.get("q-header-list")).toBe("host");
    expect(auth.get("q-url-param-list")).toBe("");
    expect(auth.get("q-signature")).toBe(expectedV5("PUT", `${C.appid}/student1/photo.png`, keyTime));
  });

  test.each([
    [`method=PUT&key=${C.appid}/teacher1/x.png`, 403, 10101, "only keys under your own folder can be authorized."],
    [`method=PUT&key=${C.appid}/student1/../teacher1/x.png`, 400, 10003, "invalid key"],
    [`method=PUT&key=${C.appid}/student1/%252e%252e/teacher1/x.png`, 400, 10003, "invalid key"],
    [`method=PUT&key=${C.appid}/student1/..%5Cteacher1%5Cx.png`, 400, 10003, "invalid key"],
    [`method=PUT&key=${C.appid}/student1/a%0Ahost=evil`, 400, 10003, "invalid key"],
    ["method=PATCH&key=student1/x.png", 400, 10003, "invalid method"],
    ["key=student1/x.png", 400, 10003, "Lack of method"],
    ["method=GET", 400, 10003, "Lack of key"],
  ])("?%s → %i %i", async (query, status, code, text) => {
    expect(await t.rest("GET", `/cos/authorization?${query}`, { token: S })).toEqual({ status, body: { errorCode: code, errorInfo: text } });
  });

  /** The app's COS client (cos-nodejs-sdk-v5), asking the server for each authorization, through the emulator. */
  function appClient(token: string) {
    return new COS({
      Protocol: "http:",
      Proxy: t.tencent.url,
      getAuthorization: (options, callback) => {
        const query = new URLSearchParams({ method: String(options.Method).toUpperCase(), key: options.Key });
        void t.rest("GET", `/cos/authorization?${query.toString()}`, { token }).then((answer) => {
          // A refused key gets a well-formed but useless authorization, which COS (the emulator) then refuses.
          const authorization = answer.status === 200 ? (answer.body.authorization as string) : "q-sign-algorithm=sha1&q-ak=x&q-sign-time=0;1&q-key-time=0;1&q-header-list=&q-url-param-list=&q-signature=refused";
          callback({ Authorization: authorization } as unknown as Parameters<typeof callback>[0]);
        });
      },
    });
  }

  test("end to end: the app's COS SDK uploads to the emulator with the server's authorization; another folder is refused", async () => {
    const cos = appClient(S);
    const put = (key: string) => cos.putObject({ Bucket: `sxbedu-${TEST_CLOUD.appId}`, Region: "ap-shanghai", Key: key, Body: Buffer.from("hello") });
    const stored = await put(`${C.appid}/student1/hello.txt`);
    expect(stored.statusCode).toBe(200);
    expect(t.tencent.cos.objects.get(`sxbedu/${C.appid}/student1/hello.txt`)).toMatchObject({ size: 5, api: "v5" });
    await expect(put(`${C.appid}/teacher1/hello.txt`)).rejects.toMatchObject({ statusCode: 403 });
    expect(t.tencent.cos.objects.has(`sxbedu/${C.appid}/teacher1/hello.txt`)).toBe(false);
  });

  /** A PUT through the emulator as a proxy (fetch cannot set Host: the absolute target names the bucket's host). */
  function putThroughProxy(host: string, key: string, authorization: string) {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const { hostname, port } = new URL(t.tencent.url);
      const req = httpRequest({ hostname, port, method: "PUT", path: `http://${host}/${key}`, headers: { authorization } }, (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      req.end("x");
    });
  }

  test("an expired authorization is refused by the emulator", async () => {
    const old = nowS() - 3600;
    const authorization = COS.getAuthorization({ SecretId: TEST_CLOUD.secretId, SecretKey: TEST_CLOUD.secretKey, Method: "PUT", Key: "student1/late.txt", KeyTime: `${old};${old + 600}`, Headers: { host: bucketHost } });
    const answer = await putThroughProxy(bucketHost, "student1/late.txt", authorization);
    expect(answer.status).toBe(403);
    expect(answer.text).toMatch(/Request has expired/);
  });

  test("the server's authorization is for its bucket's host only: the emulator refuses it on another bucket", async () => {
    const key = `${C.appid}/student1/moved.txt`;
    const answer = await t.rest("GET", `/cos/authorization?method=PUT&key=${key}`, { token: S });
    const authorization = answer.body.authorization as string;
    const otherHost = `other-${TEST_CLOUD.appId}.cos.ap-shanghai.myqcloud.com`;
    expect((await putThroughProxy(otherHost, key, authorization)).status).toBe(403);
    expect(t.tencent.cos.objects.has(`other/${key}`)).toBe(false);
    expect((await putThroughProxy(bucketHost, key, authorization)).status).toBe(200);
  });

  test("the emulator refuses an authorization that does not sign the host (valid in any bucket of the account)", async () => {
    const start = nowS() - 1;
    const unbound = COS.getAuthorization({ SecretId: TEST_CLOUD.secretId, SecretKey: TEST_CLOUD.secretKey, Method: "PUT", Key: "student1/any.txt", KeyTime: `${start};${start + 600}` });
    expect(new URLSearchParams(unbound).get("q-header-list")).toBe("");
    const answer = await putThroughProxy(bucketHost, "student1/any.txt", unbound);
    expect(answer.status).toBe(403);
    expect(answer.text).toMatch(/host/);
  });
});

describe("vod.get_sign (Cloud API v2)", () => {
  const base = { method: "GET", host: "vod.api.qcloud.com", path: "/v2/index.php" };

  test("the documented vectors: HmacSHA256 with `_` → `.`, and HmacSHA1 by default", async () => {
    const params = { Action: "DescribeVodInfo", Nonce: 11886, Region: "gz", SecretId: "", Timestamp: 1465185768, SignatureMethod: "HmacSHA256", "fileIds.0": "abc", page_size: 20 };
    const sha256 = await call("vod", "get_sign", S, { ...base, params });
    expect(sha256.body.data).toEqual({ sign: "FXQwhzq2sp72i0hQq4+C6C9/0vB88Bx5UXB+/lP5lX4=", SecretId: TEST_CLOUD.secretId, SignatureMethod: "HmacSHA256" });
    const sha1 = await call("vod", "get_sign", S, { ...base, params: { Action: "DescribeVodInfo", Nonce: 11886, Region: "gz", SecretId: "", Timestamp: 1465185768 } });
    expect(sha1.body.data).toEqual({ sign: "uFpRc0WzH9icQIm/G7GRTUc5lPY=", SecretId: TEST_CLOUD.secretId, SignatureMethod: "HmacSHA1" });
  });

  test("any allowed request, recomputed independently", async () => {
    const params = { Action: "GetVideoInfo", fileId: "f-1", Nonce: 7, Timestamp: nowS(), SecretId: "ignored", flag: true, none: null };
    const answer = await call("vod", "get_sign", S, { ...base, method: "POST", params });
    const plain = `POSTvod.api.qcloud.com/v2/index.php?Action=GetVideoInfo&Nonce=7&SecretId=${TEST_CLOUD.secretId}&Timestamp=${params.Timestamp}&fileId=f-1&flag=1&none=`;
    expect(answer.body.data.sign).toBe(createHmac("sha1", TEST_CLOUD.secretKey).update(plain).digest("base64"));
  });

  test.each([
    [{}, invalid("Lack of method")],
    [{ method: "get" }, invalid("invalid method")],
    [{ method: "GET" }, invalid("Lack of host")],
    [{ method: "GET", host: 5 }, invalid("invalid host")],
    [{ method: "GET", host: "x" }, invalid("Lack of path")],
    [{ method: "GET", host: "x", path: "/v2/index.php" }, invalid("Lack of params")],
    [{ method: "GET", host: "x", path: "/v2/index.php", params: 5 }, invalid("invalid params")],
    [{ ...base, params: { Action: "DescribeVodInfo", SignatureMethod: "MD5" } }, invalid("invalid params.SignatureMethod")],
    [{ ...base, host: "cvm.api.qcloud.com", params: { Action: "DescribeInstances" } }, invalid("invalid host")],
    [{ ...base, params: { Action: "DeleteEverything" } }, { errorCode: 10101, errorInfo: "Server internal error:unsupport action." }],
    [{ ...base, params: {} }, { errorCode: 10101, errorInfo: "Server internal error:unsupport action." }],
  ])("%j → %j", async (fields, expected) => {
    expect((await call("vod", "get_sign", S, fields)).body).toEqual(expected);
  });
});

describe("vod.get_sign signs exactly the allowed request (the issue's oracle payloads, on both doors)", () => {
  const base = { method: "GET", host: "vod.api.qcloud.com", path: "/v2/index.php" };
  const T0 = 1700000000;
  const injectedPath = `/v2/index.php?Action=DeleteVodFile&Nonce=7&Region=gz&SecretId=${TEST_CLOUD.secretId}&Timestamp=${T0}&fileId=X&z=`;
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["a query in path", { ...base, path: injectedPath, params: { Action: "DescribeVodInfo" } }, "invalid path"],
    ["another path", { ...base, path: "/v2/other.php", params: { Action: "DescribeVodInfo" } }, "invalid path"],
    ["& and = in a key", { ...base, params: { Action: "DescribeVodInfo", "Action=DeleteVodFile&Nonce": "123" } }, "invalid params"],
    ["& and = in a value", { ...base, params: { Action: "DescribeVodInfo", fileId: "x&Action=DeleteVodFile" } }, "invalid params"],
    ["a %-escape in a value", { ...base, params: { Action: "DescribeVodInfo", fileId: "x%26Action%3DDeleteVodFile" } }, "invalid params"],
    ["# in a value", { ...base, params: { Action: "DescribeVodInfo", fileId: "x#y" } }, "invalid params"],
    ["a control character in a value", { ...base, params: { Action: "DescribeVodInfo", fileId: "x\ny" } }, "invalid params"],
    ["two keys Tencent reads as one (_ is .)", { ...base, params: { Action: "DescribeVodInfo", page_size: 1, "page.size": 2 } }, "invalid params"],
    ["two keys differing only in letter case", { ...base, params: { Action: "DescribeVodInfo", fileId: "a", FileId: "b" } }, "invalid params"],
    ["a Signature parameter (Tencent leaves it out of the text)", { ...base, params: { Action: "DescribeVodInfo", Signature: "x" } }, "invalid params"],
    ["an object value (signed as \"Array\")", { ...base, params: { Action: "DescribeVodInfo", fileIds: ["a"] } }, "invalid params"],
    ["keys whose order depends on when _ becomes .", { ...base, params: { Action: "DescribeVodInfo", a_b: 1, aZ: 2 } }, "invalid params"],
  ];

  test("a Timestamp up to a day ahead is signed; further ahead (a signature that waits to be used) or not an integer is not", async () => {
    const at = (timestamp: unknown) => call("vod", "get_sign", S, { ...base, params: { Action: "DescribeVodInfo", Timestamp: timestamp } });
    expect((await at(nowS() + 86400 - 60)).body.errorCode).toBe(0);
    expect((await at(String(nowS()))).body.errorCode).toBe(0);
    expect((await at(nowS() + 86400 + 60)).body).toEqual(invalid("invalid params"));
    expect((await at("soon")).body).toEqual(invalid("invalid params"));
  });

  test.each(cases)("%s → 10003 %s (protocol door)", async (_what, fields, text) => {
    expect((await call("vod", "get_sign", S, fields)).body).toEqual(invalid(text));
  });

  test.each(cases)("%s → 400 10003 %s (REST door)", async (_what, fields, text) => {
    expect(await t.rest("POST", "/signatures/vod", { token: S, body: fields })).toEqual({ status: 400, body: invalid(text) });
  });

  test("the emulator's VOD v2 accepts a signed allowed request and nothing else (another Action, a dropped or added parameter)", async () => {
    const params = { Action: "GetVideoInfo", Nonce: 7, Region: "gz", Timestamp: nowS(), fileId: "nothing", page_size: 3 };
    const answer = await call("vod", "get_sign", S, { ...base, params: { ...params, SecretId: "" } });
    expect(answer.body.errorCode).toBe(0);
    const send = async (sent: Record<string, unknown>) => {
      const query = new URLSearchParams(Object.entries({ ...sent, SecretId: TEST_CLOUD.secretId, Signature: answer.body.data.sign as string }).map(([k, v]): [string, string] => [k, String(v)]));
      return (await (await fetch(`${t.tencent.url}/v2/index.php?${query.toString()}`)).json()) as { code: number; message: string };
    };
    expect(await send(params)).toEqual({ code: 4000, message: "fileId does not exist" });
    const { page_size: _dropped, ...fewer } = params;
    const refusedBefore = t.tencent.vod.rejected.length;
    for (const tampered of [{ ...params, Action: "DeleteVodFile" }, fewer, { ...params, extra: "1" }]) expect((await send(tampered)).code).toBe(4100);
    // Refusals this test caused on purpose (later tests check that the server's own requests cause none).
    expect(t.tencent.vod.rejected.splice(refusedBefore).map((r) => r.reason)).toEqual(Array(3).fill("signature does not match"));
  });
});

describe("vod.get_client_sign (VOD client upload)", () => {
  test("secretId, currentTimeStamp, expireTime (+ VOD_UPLOAD_SIGN_EXPIRE_S), random, and the uploader as sourceContext", async () => {
    const answer = await call("vod", "get_client_sign", S);
    expect(Object.keys(answer.body.data)).toEqual(["sign", "SecretId"]);
    const { plain, fields } = macThenPlain(answer.body.data.sign as string);
    // The uploader is the app and the uid (uids are unique only per app), URL-encoded as VOD reads the text.
    expect(plain).toMatch(/^secretId=[^&]+&currentTimeStamp=\d+&expireTime=\d+&random=\d+&sourceContext=1400000001%3Astudent1$/);
    expect(fields.sourceContext).toBe("1400000001:student1");
    expect(fields.secretId).toBe(TEST_CLOUD.secretId);
    expect(Number(fields.expireTime) - Number(fields.currentTimeStamp)).toBe(7200);
    expect(Number(fields.random)).toBeLessThan(2 ** 32);
  });
});

test("vod.get_client_sign carries the configured procedure, classId and vodSubAppId", async () => {
  const configured = await startTestServer({ VOD_PROCEDURE: "transcode hd", VOD_CLASS_ID: "7", VOD_SUBAPPID: "1500000001", VOD_UPLOAD_SIGN_EXPIRE_S: "60" }, { keepStores: true });
  try {
    const token = await signUp(configured, "uploader", 0);
    const answer = await configured.call("vod", "get_client_sign", { ...C, token });
    const { plain, fields } = macThenPlain(answer.body.data.sign as string);
    expect(plain).toMatch(/&random=\d+&procedure=transcode%20hd&classId=7&vodSubAppId=1500000001&sourceContext=1400000001%3Auploader$/);
    expect(Number(fields.expireTime) - Number(fields.currentTimeStamp)).toBe(60);
  } finally {
    await configured.close();
  }
});

describe("vod.cmd_proxy", () => {
  const v2 = { method: "GET", host: "vod.api.qcloud.com", path: "/v2/index.php" };
  const v3 = { method: "POST", host: "vod.tencentcloudapi.com", path: "/" };
  /** What VOD keeps as SourceContext for a media uploaded with this user's upload signature. */
  async function uploaderContextOf(token: string, appid: number = C.appid): Promise<string> {
    const answer = await t.call("vod", "get_client_sign", { ...C, appid, token });
    return macThenPlain(answer.body.data.sign as string).fields.sourceContext!;
  }

  beforeAll(async () => {
    t.tencent.vod.addMedia({ fileId: "mine", name: "lesson 1", sourceContext: await uploaderContextOf(T) });
    t.tencent.vod.addMedia({ fileId: "theirs", name: "lesson 2", sourceContext: "someone" });
  });

  /** TC3-HMAC-SHA256 of a request the emulator received, recomputed from the documented algorithm. */
  function expectTc3Valid(request: { method: string; hostname: string; headers: Record<string, string | undefined>; body: Buffer }) {
    const match = /Credential=([^/]+)\/([\d-]+)\/vod\/tc3_request, SignedHeaders=([^,]+), Signature=(\w+)/.exec(request.headers.authorization ?? "")!;
    const [, id, date, signedHeaders, signature] = match;
    expect(id).toBe(TEST_CLOUD.secretId);
    const timestamp = request.headers["x-tc-timestamp"]!;
    const headers = signedHeaders!.split(";").map((h) => `${h}:${h === "host" ? request.hostname : request.headers[h]!.toLowerCase()}\n`).join("");
    const canonical = `POST\n/\n\n${headers}\n${signedHeaders}\n${createHash("sha256").update(request.body).digest("hex")}`;
    const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/vod/tc3_request\n${createHash("sha256").update(canonical).digest("hex")}`;
    const h = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
    const signing = h(h(h(`TC3${TEST_CLOUD.secretKey}`, date!), "vod"), "tc3_request");
    expect(createHmac("sha256", signing).update(toSign).digest("hex")).toBe(signature);
  }

  test("v2 passthrough: Tencent's answer minus code and message, then code 0 and message \"\"", async () => {
    const answer = await call("vod", "cmd_proxy", T, { ...v2, params: { Action: "DescribeVodInfo", SecretId: "", pageNo: 0, pageSize: 20 } });
    expect(answer.body.errorCode).toBe(0);
    expect(answer.body.data).toMatchObject({ totalCount: 2, code: 0, message: "" });
    expect(Object.keys(answer.body.data).slice(-2)).toEqual(["code", "message"]);
    expect(t.tencent.vod.rejected).toEqual([]);
    const sent = new URLSearchParams(t.tencent.vod.received.at(-1)!.url.search);
    expect(sent.get("SecretId")).toBe(TEST_CLOUD.secretId);
    expect(sent.get("RequestClient")).toBe("SDK_PHP_1.1");
  });

  test("v3 actions go through the VOD SDK, signed TC3-HMAC-SHA256 (recomputed here)", async () => {
    const answer = await call("vod", "cmd_proxy", T, { ...v3, params: { Action: "DescribeMediaInfos", FileIds: ["mine", "nothing"] } });
    expect(answer.body.errorCode).toBe(0);
    expect(answer.body.data).toMatchObject({ MediaInfoSet: [{ FileId: "mine", BasicInfo: { Name: "lesson 1" } }], NotExistFileIdSet: ["nothing"] });
    expectTc3Valid(t.tencent.vod.received.at(-1)!);
    const search = await call("vod", "cmd_proxy", T, { ...v3, params: { Action: "SearchMedia", Text: "lesson" } });
    expect(search.body.data.TotalCount).toBe(2);
    expect(t.tencent.vod.rejected).toEqual([]);
  });

  test("DeleteMedia only for the teacher's own media", async () => {
    const foreign = await call("vod", "cmd_proxy", T, { ...v3, params: { Action: "DeleteMedia", FileId: "theirs" } });
    expect(foreign.body).toEqual({ errorCode: 10101, errorInfo: "only the teacher who uploaded a media can delete it." });
    expect(t.tencent.vod.media.has("theirs")).toBe(true);
    expect((await call("vod", "cmd_proxy", T, { ...v3, params: { Action: "DeleteMedia", FileId: "mine" } })).body.errorCode).toBe(0);
    expect(t.tencent.vod.media.has("mine")).toBe(false);
  });

  test("DeleteMedia compares the app too: a teacher \"alice\" of another app cannot delete this app's alice's media", async () => {
    const alice = await signUp(t, "alice", 1);
    const otherAlice = await signUp(t, "alice", 1, OTHER_APP);
    t.tencent.vod.addMedia({ fileId: "alices", name: "alice's lesson", sourceContext: await uploaderContextOf(alice) });
    // A media of the bare uid (what uploads carried before the app was added) proves no app: nobody deletes it through the proxy.
    t.tencent.vod.addMedia({ fileId: "bare", name: "old lesson", sourceContext: "alice" });
    const deleteAs = (token: string, appid: number, fileId: string) => t.call("vod", "cmd_proxy", { ...C, appid, token, ...v3, params: { Action: "DeleteMedia", FileId: fileId } });
    expect((await deleteAs(otherAlice, OTHER_APP.sdkAppId, "alices")).body).toEqual({ errorCode: 10101, errorInfo: "only the teacher who uploaded a media can delete it." });
    expect((await deleteAs(alice, C.appid, "bare")).body.errorCode).toBe(10101);
    expect((await deleteAs(otherAlice, OTHER_APP.sdkAppId, "bare")).body.errorCode).toBe(10101);
    expect(t.tencent.vod.media.has("alices")).toBe(true);
    expect((await deleteAs(alice, C.appid, "alices")).body.errorCode).toBe(0);
    expect(t.tencent.vod.media.has("alices")).toBe(false);
  });

  test.each([
    ["a student", "S", { ...v2, params: { Action: "DescribeVodInfo" } }, { errorCode: 10101, errorInfo: "only teacher can call the vod command proxy." }],
    ["an action not allowed", "T", { ...v2, params: { Action: "DescribeInstances" } }, { errorCode: 10101, errorInfo: "Server internal error:unsupport action." }],
    ["no Action", "T", { ...v2, params: {} }, invalid("lack of params.Action")],
    ["a number as Action", "T", { ...v2, params: { Action: 5 } }, invalid("invalid params.Action")],
    ["an unknown SignatureMethod", "T", { ...v2, params: { Action: "DescribeVodInfo", SignatureMethod: "x" } }, invalid("invalid params.SignatureMethod")],
    ["a host not allowed", "T", { ...v2, host: "evil.example", params: { Action: "DescribeVodInfo" } }, invalid("invalid host")],
    ["& and = in a v2 value", "T", { ...v2, params: { Action: "GetVideoInfo", fileId: "x&Action=DeleteVodFile" } }, invalid("invalid params")],
    ["a POSTed v2 value starting with @ (the SDK leaves it out of the signed text)", "T", { ...v2, method: "POST", params: { Action: "GetVideoInfo", fileId: "@x" } }, invalid("invalid params")],
    ["a v2 key starting with _ (the SDK and Tencent read it differently)", "T", { ...v2, params: { Action: "GetVideoInfo", _fileId: "x" } }, invalid("invalid params")],
  ])("refused: %s", async (_name, who, fields, expected) => {
    const sent = t.tencent.vod.received.length;
    expect((await call("vod", "cmd_proxy", who === "S" ? S : T, fields)).body).toEqual(expected);
    expect(t.tencent.vod.received).toHaveLength(sent);
  });

  test("Tencent down → 90000 with Tencent's failure as data, and the cause logged", async () => {
    const { log, lines: downLog } = capturingLogger("warn");
    const down = await startTestServer({ VOD_ENDPOINT: "http://127.0.0.1:9", VOD_V2_BASE_URL: "http://127.0.0.1:9" }, { keepStores: true, log });
    try {
      const teacher = await signUp(down, "teacher-down", 1);
      const answer = await down.call("vod", "cmd_proxy", { ...C, token: teacher, ...v3, params: { Action: "SearchMedia" } });
      expect(answer.body).toMatchObject({ errorCode: 90000, errorInfo: "Server internal error:call qcloud failed", data: { code: 3000, message: expect.any(String) } });
      const v2Down = await down.call("vod", "cmd_proxy", { ...C, token: teacher, ...v2, params: { Action: "GetVideoInfo" } });
      expect(v2Down.body).toMatchObject({ errorCode: 90000, data: { code: 3000 } });
      const causes = downLog.filter((line) => line.msg === "VOD API call failed");
      expect(causes.map((line) => [line.action, line.code])).toEqual([["SearchMedia", "TransportError"], ["GetVideoInfo", "TransportError"]]);
      expect(String(causes[0]!.err)).not.toBe("");
    } finally {
      await down.close();
    }
  });

  test("a v2 error answer → 90000 with Tencent's code and message", async () => {
    const answer = await call("vod", "cmd_proxy", T, { ...v2, params: { Action: "GetVideoInfo", fileId: "nothing" } });
    expect(answer.body).toEqual({ errorCode: 90000, errorInfo: "Server internal error:call qcloud failed", data: { code: 4000, message: "fileId does not exist" } });
  });
});

describe("REST equivalents", () => {
  test("POST /signatures/cos, /signatures/vod, /signatures/vod-upload and /vod/commands", async () => {
    const cos = await t.rest("POST", "/signatures/cos", { token: S, body: { type: 0 } });
    expect(cos).toMatchObject({ status: 200, body: { bucket: "sxbedu", region: "sh" } });
    const vod = await t.rest("POST", "/signatures/vod", { token: S, body: { method: "GET", host: "vod.api.qcloud.com", path: "/v2/index.php", params: { Action: "DescribeVodInfo" } } });
    expect(vod.body).toMatchObject({ SecretId: TEST_CLOUD.secretId, SignatureMethod: "HmacSHA1" });
    expect((await t.rest("POST", "/signatures/vod-upload", { token: S })).status).toBe(200);
    const proxy = await t.rest("POST", "/vod/commands", { token: S, body: { method: "GET", host: "vod.api.qcloud.com", path: "/v2/index.php", params: { Action: "DescribeVodInfo" } } });
    expect(proxy).toEqual({ status: 403, body: { errorCode: 10101, errorInfo: "only teacher can call the vod command proxy." } });
    expect((await t.rest("POST", "/signatures/cos", { body: { type: 0 } })).status).toBe(401);
  });
});

test("no secret ever appears in an answer or a log line", async () => {
  const answers = await Promise.all([
    call("cos", "get_sign", S, { type: 0 }),
    call("vod", "get_sign", S, { method: "GET", host: "vod.api.qcloud.com", path: "/v2/index.php", params: { Action: "DescribeVodInfo" } }),
    call("vod", "get_client_sign", S),
    call("vod", "cmd_proxy", T, { method: "GET", host: "vod.api.qcloud.com", path: "/v2/index.php", params: { Action: "GetVideoInfo", fileId: "nothing" } }),
  ]);
  const everything = [...answers.map((a) => a.text), ...logLines].join("\n");
  expect(logLines.length).toBeGreaterThan(10);
  expect(everything).not.toContain(TEST_CLOUD.secretKey);
  expect(logLines.join("\n")).not.toMatch(/Signature=|q-signature|"sign":/);
});
