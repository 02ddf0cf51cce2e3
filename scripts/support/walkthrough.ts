/**
 * The README's walkthrough of a class, over the app protocol against a running server:
 * teacher and student sign up and log in, the teacher creates and starts a class, the
 * student enters, both beat, the member list, the student leaves, the teacher ends the
 * class, and the course list shows its IM range (begin_imseq < end_imseq); with COS at hand
 * (the emulator), the teacher also uploads courseware with a signature and binds it. With
 * Tencent's recording at hand (the emulator), it goes on after the end: the recording
 * arrives, the replay index is built with no manual step, the playback list shows the
 * class with its videos, index URL and IM range, and the replay index is pulled. With
 * `relay` the teacher also records the class and relays it to CDN on Tencent's side.
 * `npm run demo` prints it; test/launch.test.ts runs the same steps.
 */

export interface Step {
  title: string;
  request: string;
  answer: Answer;
}

export interface Answer {
  errorCode: number;
  errorInfo: string;
  data?: Record<string, unknown>;
}

export interface WalkthroughResult {
  roomnum: number;
  beginImSeq: number;
  endImSeq: number;
  steps: Step[];
  /** After the end, when the replay was awaited: the class as the playback list shows it, and its replay index. */
  playback?: { room: PlaybackRoom; index: unknown };
}

export interface PlaybackRoom {
  roomnum: number;
  state: number;
  playback_idx_url: string;
  begin_imseq: number;
  end_imseq: number;
  videos: Array<{ video_url: string; duration: number; imseq: number }>;
}

export class WalkthroughError extends Error {}

export interface WalkthroughOptions {
  /** Where COS is (the Tencent emulator in development): the teacher uploads courseware there with a signature from the server, then binds it. */
  cos?: { url: string; tencentAppId: number };
  /** Wait this long at most, after the end, for the recording and the replay index (Tencent's, or the emulator's, recording is on). */
  replayWithinMs?: number;
  /** The teacher also records the class and relays it to CDN on Tencent's side (videorelay), as the emulator allows. */
  relay?: boolean;
}

/** Uploads through COS's JSON API (v4), as the apps' COS SDK does, with the single-use signature the server handed out. */
async function uploadToCos(cos: NonNullable<WalkthroughOptions["cos"]>, bucket: string, path: string, sign: string): Promise<string> {
  const form = new FormData();
  form.set("op", "upload");
  form.set("filecontent", new Blob(["demo courseware"]), "lesson.ppt");
  const response = await fetch(`${cos.url}/files/v2/${cos.tencentAppId}/${bucket}${path}`, { method: "POST", headers: { authorization: sign }, body: form });
  const answer = (await response.json()) as { code: number; message: string; data?: { access_url: string } };
  if (answer.code !== 0 || !answer.data) throw new WalkthroughError(`COS upload: ${answer.code} ${answer.message}`);
  return answer.data.access_url;
}

export async function walkthrough(baseUrl: string, appid: number, onStep: (step: Step) => void = () => undefined, options: WalkthroughOptions = {}): Promise<WalkthroughResult> {
  const steps: Step[] = [];
  const suffix = Date.now().toString(36);
  const ask = async (svc: string, cmd: string, body: Record<string, unknown>): Promise<Answer> => {
    const response = await fetch(`${baseUrl}/index.php?svc=${svc}&cmd=${cmd}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ appid, timeStamp: Date.now() % 2 ** 31, ...body }),
    });
    return (await response.json()) as Answer;
  };
  const record = (title: string, request: string, answer: Answer) => {
    const step = { title, request, answer };
    steps.push(step);
    onStep(step);
    if (answer.errorCode !== 0) throw new WalkthroughError(`${title}: ${request} answered ${answer.errorCode} ${answer.errorInfo}`);
    return answer.data ?? {};
  };
  const call = async (title: string, svc: string, cmd: string, body: Record<string, unknown>): Promise<Record<string, unknown>> =>
    record(title, `${svc}.${cmd}`, await ask(svc, cmd, body));

  const teacherId = `demo-teacher-${suffix}`;
  const studentId = `demo-student-${suffix}`;
  const pwd = "ZGVtby1wYXNzd29yZA==";
  await call("the teacher registers", "account", "regist", { id: teacherId, pwd, role: 1 });
  await call("a student registers", "account", "regist", { id: studentId, pwd, role: 0 });
  const teacher = (await call("the teacher logs in (token and IM userSig)", "account", "login", { id: teacherId, pwd })).token as string;
  const student = (await call("the student logs in", "account", "login", { id: studentId, pwd })).token as string;
  const { roomnum } = (await call("the teacher creates a course", "live", "create", { token: teacher, title: "Demo class", cover: "" })) as { roomnum: number };
  if (options.cos) {
    // Single-use signatures are for files of the caller's app (`/<sdkappid>/…`).
    const path = `/${appid}/${teacherId}/lesson.ppt`;
    const signed = (await call("the teacher asks for a single-use COS signature", "cos", "get_sign", { token: teacher, type: 1, file_path: path })) as { sign: string; bucket: string };
    const url = await uploadToCos(options.cos, signed.bucket, path, signed.sign);
    await call("…uploads the courseware to COS with it, and binds it to the course", "live", "reportbind", { token: teacher, roomnum, operate: 0, bind_file: { type: 0, file_name: "lesson.ppt", url } });
  }
  await call("the teacher starts the class (IM marker 1001)", "live", "startcourse", { token: teacher, roomnum });
  await call("the student enters (IM marker 1003)", "live", "reportmemid", { token: student, roomnum, operate: 0 });
  for (let beat = 1; beat <= 2; beat++) {
    await call(`heartbeat ${beat} of the teacher`, "live", "heartbeat", { token: teacher, roomnum });
    await call(`heartbeat ${beat} of the student`, "live", "heartbeat", { token: student, roomnum });
  }
  const members = await call("who is in class", "live", "roomidlist", { token: teacher, roomnum, index: 0, size: 10 });
  if (members.total !== 2) throw new WalkthroughError(`roomidlist: expected 2 members, got ${JSON.stringify(members)}`);
  if (options.relay) {
    await call("the teacher records the class on Tencent's side (videorelay 0x5)", "live", "startrecord", { token: teacher, roomnum });
    await call("…and relays it to CDN (0x6) for students beyond the room", "live", "startpush", { token: teacher, roomnum });
    const play = await call("a viewer outside the room gets the CDN play URLs (RTMP, FLV, HLS)", "live", "getroomplayurl", { token: student, roomnum });
    if (!String(play.address).startsWith("rtmp://")) throw new WalkthroughError(`getroomplayurl: expected the relay's RTMP address, got ${JSON.stringify(play)}`);
    const stopped = await call("the teacher stops the recording: Tencent names its files (their recording callbacks follow)", "live", "stoprecord", { token: teacher, roomnum });
    if (!Array.isArray(stopped.file_ids) || stopped.file_ids.length === 0) throw new WalkthroughError(`stoprecord: expected file ids, got ${JSON.stringify(stopped)}`);
  }
  await call("the student leaves", "live", "reportmemid", { token: student, roomnum, operate: 1 });
  await call(`the teacher ends the class (IM marker 1002)${options.relay ? "; the relay push stops with it" : ""}`, "live", "exitroom", { token: teacher, roomnum });
  const list = await call("the course list shows the class's IM range", "live", "roomlist", { token: student, index: 0, size: 1, roomnum });
  const room = (list.rooms as Array<{ begin_imseq: number; end_imseq: number; state: number }>)[0];
  if (!room || room.state < 2 || !(room.begin_imseq < room.end_imseq)) throw new WalkthroughError(`roomlist: expected an ended class with begin_imseq < end_imseq, got ${JSON.stringify(room)}`);
  const result: WalkthroughResult = { roomnum, beginImSeq: room.begin_imseq, endImSeq: room.end_imseq, steps };
  if (options.replayWithinMs === undefined) return result;

  // After the class: Tencent's recording calls back, and the server builds the replay index by itself.
  const playbackOf = async (): Promise<PlaybackRoom | undefined> => {
    const answer = await ask("live", "roomlist", { token: student, index: 0, size: 1, roomnum });
    return (answer.data?.rooms as PlaybackRoom[] | undefined)?.[0];
  };
  // The class's own recording, and the server-side one stopped before the end.
  const expectedVideos = options.relay ? 2 : 1;
  const recorded = await waitFor(options.replayWithinMs, async () => ((await playbackOf())?.videos.length ?? 0) >= expectedVideos);
  if (!recorded) throw new WalkthroughError(`${expectedVideos} recordings did not arrive within ${options.replayWithinMs} ms of the end`);
  const replayable = await waitFor(options.replayWithinMs, async () => (await playbackOf())?.state === 3);
  if (!replayable) throw new WalkthroughError(`the class was not replayable within ${options.replayWithinMs} ms of the end`);
  const playbacks = await call("…the recording arrived and the replay index was built: the playback list (state 3) shows the class", "live", "roomlist", {
    token: student,
    index: 0,
    size: 5,
    state: 3,
  });
  const playback = (playbacks.rooms as PlaybackRoom[]).find((r) => r.roomnum === roomnum);
  if (!playback?.playback_idx_url || playback.videos.length === 0) throw new WalkthroughError(`playback list: expected the class with its index and videos, got ${JSON.stringify(playback)}`);
  const index = await fetch(playback.playback_idx_url).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));
  record("a replay player pulls the replay index (playback_idx_url)", "GET playback_idx_url", { errorCode: index.status === 200 ? 0 : index.status, errorInfo: "", data: index.body });
  return { ...result, playback: { room: playback, index: index.body } };
}

/** Polls `check` every 250 ms until it holds or `withinMs` has passed. */
async function waitFor(withinMs: number, check: () => Promise<boolean>): Promise<boolean> {
  for (const giveUpAt = Date.now() + withinMs; ; await new Promise((resolve) => setTimeout(resolve, 250))) {
    if (await check()) return true;
    if (Date.now() >= giveUpAt) return false;
  }
}
