import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { startTencentEmulator, type TencentEmulator } from "../src/emulator";
import { pushBody, recordBody, VideorelayClient, VideorelayError } from "../src/infra/tencent/videorelay";
import { C, signUp, startTestServer } from "./support/harness";
import { TEST_APP, TEST_CLOUD } from "./support/env";
import { signUserSigV2 } from "./support/usersig-sign";

/**
 * The videorelay client checks a request before sending it, exactly as the ILVB tables say
 * (required, optional, must not be sent, per operation); the emulator checks what reaches it
 * as Tencent does (query in any letter case, admin usersig, header, fields, the AV room);
 * mutual TLS presents the configured client certificate.
 */

describe("the client refuses to send what the tables forbid", () => {
  const refused = (build: () => unknown) => {
    let thrown: unknown;
    try {
      build();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(VideorelayError);
    expect((thrown as VideorelayError).kind).toBe("request");
  };

  test("recording: start needs a file name; enums are checked; stop carries only oper, sdk type and data type", () => {
    expect(recordBody({ oper: "start", fileName: "f", tags: ["a"], classId: 3, transcode: true, screenshot: false, watermark: true, sdkType: 1, recordDataType: 1 })).toEqual({
      uint32_oper: 1,
      string_file_name: "f",
      string_tags: ["a"],
      uint32_classid: 3,
      uint32_IsTransCode: 1,
      uint32_IsScreenShot: 0,
      uint32_IsWaterMark: 1,
      uint32_sdk_type: 1,
      uint32_record_data_type: 1,
    });
    expect(recordBody({ oper: "stop", sdkType: 2, recordDataType: 0 })).toEqual({ uint32_oper: 2, uint32_sdk_type: 2, uint32_record_data_type: 0 });
    refused(() => recordBody({ oper: "start", fileName: "", sdkType: 1, recordDataType: 0 }));
    refused(() => recordBody({ oper: "start", fileName: "f", sdkType: 3 as 1, recordDataType: 0 }));
    refused(() => recordBody({ oper: "stop", sdkType: 1, recordDataType: 2 as 0 }));
    refused(() => recordBody({ oper: "start", fileName: "f", classId: -1, sdkType: 1, recordDataType: 0 }));
    refused(() => recordBody({ oper: "start", fileName: "f", tags: [5 as unknown as string], sdkType: 1, recordDataType: 0 }));
  });

  test("push: start needs a live code 1, 5 or 6 and the tape flag; rates 0, 10, 20; stop carries only oper, sdk type and data type", () => {
    expect(pushBody({ oper: "start", liveCode: 5, sdkType: 1, pushDataType: 0, tape: true, watermark: { id: 7 }, rateTypes: [0, 10] })).toEqual({
      uint32_oper: 1,
      uint32_live_code: 5,
      uint32_sdk_type: 1,
      uint32_push_data_type: 0,
      uint32_tape_flag: 1,
      uint32_watermark_flag: 1,
      uint32_watermark_id: 7,
      rpt_rate_type: [0, 10],
    });
    expect(pushBody({ oper: "stop", sdkType: 1, pushDataType: 1 })).toEqual({ uint32_oper: 2, uint32_sdk_type: 1, uint32_push_data_type: 1 });
    refused(() => pushBody({ oper: "start", liveCode: 2 as 1, sdkType: 1, pushDataType: 0, tape: false }));
    refused(() => pushBody({ oper: "start", liveCode: 1, sdkType: 1, pushDataType: 0, tape: false, rateTypes: [] }));
    refused(() => pushBody({ oper: "start", liveCode: 1, sdkType: 1, pushDataType: 0, tape: false, rateTypes: [30 as 0] }));
    refused(() => pushBody({ oper: "start", liveCode: 1, sdkType: 1, pushDataType: 0, tape: false, watermark: { id: 2 ** 33 } }));
  });

  test("the header takes exactly one account and a room number; nothing is sent otherwise", async () => {
    const client = new VideorelayClient({ baseUrl: "http://127.0.0.1:9", timeoutMs: 5000 }); // port 9 refuses at once: no wait
    try {
      await expect(client.record(TEST_APP, { roomnum: 10001, account: "" }, { oper: "stop", sdkType: 1, recordDataType: 0 })).rejects.toMatchObject({ kind: "request" });
      await expect(client.push(TEST_APP, { roomnum: 0, account: "t" }, { oper: "stop", sdkType: 1, pushDataType: 0 })).rejects.toMatchObject({ kind: "request" });
      // A valid request to nowhere: a transport failure, not a request refusal; it never left, so it was not done.
      await expect(client.push(TEST_APP, { roomnum: 1, account: "t" }, { oper: "stop", sdkType: 1, pushDataType: 0 })).rejects.toMatchObject({ kind: "transport", mayHaveBeenDone: false });
    } finally {
      client.close();
    }
  });
});

describe("the emulator checks a videorelay request as Tencent does", () => {
  let tencent: TencentEmulator;
  beforeAll(async () => {
    tencent = await startTencentEmulator({ apps: [TEST_APP], cloud: TEST_CLOUD });
    // A class of room 10001: teacher t in the room (1001), then student s (1003).
    const marker = (type: number, uid: string) => ({ GroupId: "10001", Random: type, MsgBody: [{ MsgType: "TIMCustomElem", MsgContent: { Data: JSON.stringify({ type, seq: 1, timestamp: 1, value: { uid } }) } }] });
    for (const [type, uid] of [[1001, "t"], [1003, "s"]] as const) {
      const query = new URLSearchParams({ sdkappid: String(TEST_APP.sdkAppId), identifier: TEST_APP.admin, usersig: sig(), random: "1", contenttype: "json" });
      await fetch(`${tencent.url}/v4/group_open_http_svc/send_group_msg?${query.toString()}`, { method: "POST", body: JSON.stringify(marker(type, uid)) });
    }
  });
  afterAll(() => tencent.close());

  const sig = () => signUserSigV2({ sdkAppId: TEST_APP.sdkAppId, secretKey: TEST_APP.secretKey, identifier: TEST_APP.admin });
  const query = (overrides: Record<string, string | undefined> = {}) =>
    Object.fromEntries(Object.entries({ usersig: sig(), identifier: TEST_APP.admin, sdkappid: String(TEST_APP.sdkAppId), random: "7", apn: "0", contenttype: "json", ...overrides }).filter((e): e is [string, string] => e[1] !== undefined));
  const head = (overrides: Record<string, unknown> = {}) => ({
    uint32_sub_cmd: 5,
    uint32_seq: 42,
    uint32_auth_key: 10001,
    uint32_sdk_appid: TEST_APP.sdkAppId,
    rpt_to_Account: ["t"],
    bytes_cookie_buff: "c00k1e",
    ...overrides,
  });
  async function post(body: unknown, q: Record<string, string> = query()): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any -- arbitrary replies
    const response = await fetch(`${tencent.url}/v3/openim/videorelay?${new URLSearchParams(q).toString()}`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }
  const record = (req: Record<string, unknown>, headOverrides = {}) => post({ reqhead: head(headOverrides), reqbody: { req_0x5: req } });
  const push = (req: Record<string, unknown>, headOverrides = {}) => post({ reqhead: head({ uint32_sub_cmd: 6, ...headOverrides }), reqbody: { req_0x6: req } });
  const result = (reply: Record<string, any>) => reply.rspbody?.rsp_0x5?.uint32_result ?? reply.rspbody?.rsp_0x6?.uint32_result; // eslint-disable-line @typescript-eslint/no-explicit-any
  const START_RECORD = { uint32_oper: 1, string_file_name: "f", uint32_sdk_type: 1, uint32_record_data_type: 0 };
  const STOP_RECORD = { uint32_oper: 2, uint32_sdk_type: 1, uint32_record_data_type: 0 };
  const START_PUSH = { uint32_oper: 1, uint32_live_code: 6, uint32_sdk_type: 1, uint32_push_data_type: 0, uint32_tape_flag: 1 };
  const STOP_PUSH = { uint32_oper: 2, uint32_sdk_type: 1, uint32_push_data_type: 0 };

  test("the query: names in any letter case (as real callers send them); the admin's usersig verified", async () => {
    const mixedCase = { usersig: sig(), Identifier: TEST_APP.admin, sdkappId: String(TEST_APP.sdkAppId), random: "7", apn: "1", contenttype: "json" };
    expect(result(await record(STOP_RECORD).then(() => post({ reqhead: head(), reqbody: { req_0x5: STOP_RECORD } }, mixedCase)))).toBe(30000412);
    const gateway = async (q: Record<string, string>) => {
      const reply = await post({ reqhead: head(), reqbody: { req_0x5: STOP_RECORD } }, q);
      return [reply.ActionStatus, reply.ErrorCode] as const;
    };
    expect(await gateway(query({ usersig: "garbage" }))).toEqual(["FAIL", 70003]);
    expect(await gateway(query({ usersig: signUserSigV2({ sdkAppId: TEST_APP.sdkAppId, secretKey: "wrong", identifier: TEST_APP.admin }) }))).toEqual(["FAIL", 70009]);
    expect(await gateway(query({ identifier: "someone" }))).toEqual(["FAIL", 60010]);
    expect(await gateway(query({ sdkappid: "1" }))).toEqual(["FAIL", 70020]);
    expect(await gateway(query({ apn: undefined }))).toEqual(["FAIL", 60002]);
    expect(await gateway(query({ random: "x" }))).toEqual(["FAIL", 60002]);
    expect(await gateway(query({ contenttype: undefined }))).toEqual(["FAIL", 60002]);
  });

  test("the header: −1 for a body that is not JSON, −4 for a bad sub-command, seq, room, app or account list; seq and cookie echoed", async () => {
    expect((await post("{not json")).reqhead).toMatchObject({ uint32_result: -1 });
    for (const overrides of [{ uint32_sub_cmd: 1 }, { uint32_seq: undefined }, { uint32_auth_key: 0 }, { uint32_sdk_appid: 1 }, { rpt_to_Account: ["t", "s"] }, { rpt_to_Account: [] }]) {
      expect((await record(STOP_RECORD, overrides)).reqhead).toMatchObject({ uint32_result: -4 });
    }
    const reply = await record(STOP_RECORD);
    expect(reply.reqhead).toMatchObject({ uint32_seq: 42, bytes_cookie_buff: "c00k1e", uint32_result: 0 });
  });

  test("recording: each missing or forbidden field has its code; the room and the user must be there; repeats", async () => {
    expect(result(await post({ reqhead: head(), reqbody: {} }))).toBe(30000001);
    expect(result(await record({ ...START_RECORD, uint32_oper: undefined }))).toBe(30000003);
    expect(result(await record({ ...START_RECORD, uint32_oper: 3 }))).toBe(30000000);
    expect(result(await record({ ...START_RECORD, string_file_name: undefined }))).toBe(30000002);
    expect(result(await record({ ...START_RECORD, uint32_record_data_type: 2 }))).toBe(30000004);
    expect(result(await record({ ...STOP_RECORD, string_file_name: "f" }))).toBe(30000000);
    expect(result(await record({ ...STOP_RECORD, uint32_IsTransCode: 1 }))).toBe(30000000);
    expect(result(await record(START_RECORD, { uint32_auth_key: 424242 }))).toBe(30000410);
    expect(result(await record(START_RECORD, { rpt_to_Account: ["nobody"] }))).toBe(30000411);
    expect(result(await record(START_RECORD))).toBe(0);
    expect(result(await record(START_RECORD))).toBe(30000415);
    const stopped = await record(STOP_RECORD);
    expect(stopped.rspbody.rsp_0x5).toMatchObject({ uint32_result: 0, str_fileID: [expect.stringMatching(/^\d+$/)] });
    expect(result(await record(STOP_RECORD))).toBe(30000412);
  });

  test("push: each missing or forbidden field has its code; the uint64 channel id is written as a bare integer", async () => {
    expect(result(await post({ reqhead: head({ uint32_sub_cmd: 6 }), reqbody: {} }))).toBe(40000001);
    expect(result(await push({ ...START_PUSH, uint32_oper: undefined }))).toBe(40000002);
    expect(result(await push({ ...START_PUSH, uint32_live_code: undefined }))).toBe(40000003);
    expect(result(await push({ ...START_PUSH, uint32_live_code: 2 }))).toBe(40000003);
    expect(result(await push({ ...START_PUSH, uint32_push_data_type: 5 }))).toBe(40000004);
    expect(result(await push({ ...START_PUSH, uint32_oper: 9 }))).toBe(40000005);
    expect(result(await push({ ...STOP_PUSH, uint32_live_code: 6 }))).toBe(40000000);
    expect(result(await push({ ...START_PUSH, uint32_tape_flag: undefined }))).toBe(40000000);
    expect(result(await push(START_PUSH, { uint32_auth_key: 424242 }))).toBe(40000410);
    expect(result(await push(START_PUSH, { rpt_to_Account: ["nobody"] }))).toBe(40000411);
    const response = await fetch(`${tencent.url}/v3/openim/videorelay?${new URLSearchParams(query()).toString()}`, {
      method: "POST",
      body: JSON.stringify({ reqhead: head({ uint32_sub_cmd: 6, rpt_to_Account: ["s"] }), reqbody: { req_0x6: START_PUSH } }),
    });
    const text = await response.text();
    const channel = /"uint64_channel_id":(\d+)/.exec(text)?.[1];
    expect(BigInt(channel!)).toBeGreaterThan(2n ** 63n - 1n);
    expect(text).toMatch(/"uint32_tape_task_id":\d+/);
    expect(result(await push(START_PUSH, { rpt_to_Account: ["s"] }))).toBe(40000415);
    expect(result(await push(STOP_PUSH, { rpt_to_Account: ["s"] }))).toBe(0);
    expect(result(await push(STOP_PUSH, { rpt_to_Account: ["s"] }))).toBe(40000412);
  });

  test("answerLost: the operation is done, then the connection drops before the answer (as a network loses one)", async () => {
    const lost = (req: Record<string, unknown>, subCmd: 5 | 6) =>
      fetch(`${tencent.url}/v3/openim/videorelay?${new URLSearchParams(query()).toString()}`, {
        method: "POST",
        body: JSON.stringify({ reqhead: head({ uint32_sub_cmd: subCmd }), reqbody: { [`req_0x${subCmd}`]: req } }),
      });
    const key = `${TEST_APP.sdkAppId}:10001:t:0`;
    tencent.videorelay.fault = { kind: "answerLost" };
    try {
      await expect(lost({ ...START_RECORD, string_file_name: "lost-start" }, 5)).rejects.toThrow();
      await expect(lost(START_PUSH, 6)).rejects.toThrow();
      expect(tencent.videorelay.recordings.get(key)?.fileName).toBe("lost-start");
      expect(tencent.videorelay.pushes.has(key)).toBe(true);
      const view = (await (await fetch(`${tencent.url}/__tencent/videorelay`)).json()) as { running: { recordings: Record<string, string>; pushes: Record<string, string> } };
      expect(view.running).toEqual({ recordings: { [key]: "lost-start" }, pushes: { [key]: tencent.videorelay.pushes.get(key)!.channelId.toString() } });
      await expect(lost(STOP_RECORD, 5)).rejects.toThrow();
      await expect(lost(STOP_PUSH, 6)).rejects.toThrow();
      expect(tencent.videorelay.recordings.has(key)).toBe(false);
      expect(tencent.videorelay.pushes.has(key)).toBe(false);
      // A refusal is lost too (the answer, whatever it says).
      await expect(lost(START_RECORD, 5).then(() => lost(START_RECORD, 5))).rejects.toThrow();
    } finally {
      tencent.videorelay.fault = undefined;
    }
    expect(result(await record(START_RECORD))).toBe(30000415);
    expect(result(await record(STOP_RECORD))).toBe(0);
  });
});

describe("mutual TLS (VIDEORELAY_CERT, VIDEORELAY_KEY; VIDEORELAY_CA to trust a private host)", () => {
  let dir: string;
  let proxy: HttpsServer;
  let proxyUrl: string;
  const clientNames: string[] = [];

  // A CA, a server certificate for 127.0.0.1, and a client certificate, made with openssl.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sxb-mtls-"));
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=sxb test CA");
    for (const [name, subject, ext] of [
      ["server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1"],
      ["client", "/CN=sxb-edu-client", "extendedKeyUsage=clientAuth"],
    ] as const) {
      ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
      writeFileSync(join(dir, `${name}.ext`), ext);
      ssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`);
    }
  });

  afterAll(() => new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve())));

  /** Tencent's side over HTTPS demanding a client certificate signed by the CA; it forwards to the emulator. */
  async function startTlsFront(emulatorUrl: string): Promise<void> {
    proxy = createHttpsServer(
      { key: readFileSync(join(dir, "server.key")), cert: readFileSync(join(dir, "server.pem")), ca: readFileSync(join(dir, "ca.pem")), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        clientNames.push((req.socket as TLSSocket).getPeerCertificate().subject.CN as string);
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
          void fetch(`${emulatorUrl}${req.url}`, { method: "POST", body: Buffer.concat(chunks) }).then(async (upstream) => {
            res.writeHead(upstream.status, { "content-type": "application/json" });
            res.end(await upstream.text());
          });
        });
      },
    );
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", () => resolve()));
    proxyUrl = `https://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  }

  test("with the client certificate the call goes through (the host saw it); without it the handshake is refused: 10103", async () => {
    const t = await startTestServer({});
    const files = { VIDEORELAY_CA: join(dir, "ca.pem") };
    try {
      await startTlsFront(t.tencent.url);
      const withCert = await startTestServer({ ...files, VIDEORELAY_BASE_URL: proxyUrl, VIDEORELAY_CERT: join(dir, "client.pem"), VIDEORELAY_KEY: join(dir, "client.key"), IM_BASE_URL: t.tencent.url }, { keepStores: true });
      const withoutCert = await startTestServer({ ...files, VIDEORELAY_BASE_URL: proxyUrl, IM_BASE_URL: t.tencent.url }, { keepStores: true });
      try {
        const teacher = await signUp(withCert, "mtls-teacher", 1);
        const roomnum = (await withCert.call("live", "create", { ...C, token: teacher, title: "mtls" })).body.data.roomnum as number;
        await withCert.call("live", "startcourse", { ...C, token: teacher, roomnum });
        expect((await withCert.call("live", "startrecord", { ...C, token: teacher, roomnum })).body.errorCode).toBe(0);
        expect(clientNames).toEqual(["sxb-edu-client"]);
        const refused = await withoutCert.call("live", "stoprecord", { ...C, token: teacher, roomnum });
        expect(refused.body).toMatchObject({ errorCode: 10103, data: { code: 0 } });
        expect(clientNames).toHaveLength(1);
      } finally {
        await withCert.close();
        await withoutCert.close();
      }
    } finally {
      await t.close();
    }
  });
});
