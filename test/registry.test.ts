import { restRoutesOf } from "../src/commands/command";
import { commandsOf, COMMANDS } from "../src/commands/registry";
import { startTestServer, type TestServer } from "./support/harness";

/** The registry is the one list: the protocol door and the REST router are built from it alone. */

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

test("command names are unique within a dialect, and every protocol name is svc.cmd", () => {
  const names = COMMANDS.map((c) => `${c.dialect} ${c.name}`);
  expect(new Set(names).size).toBe(names.length);
  // Lower case, but for the one name the live apps spell in camel case.
  for (const c of COMMANDS.filter((command) => command.dialect !== "rest")) expect(c.name).toMatch(/^[a-z]+\.[a-z_]+$|^account\.authPrivMap$/);
});

test("each REST route is declared once", () => {
  const routes = COMMANDS.flatMap((c) => restRoutesOf(c).map((r) => `${r.method} ${r.path}`));
  expect(new Set(routes).size).toBe(routes.length);
});

test("the protocol door answers every classroom command of the registry (each of its names), and nothing else", async () => {
  for (const [name, command] of commandsOf("classroom")) {
    const [svc, cmd] = name.split(".");
    const answer = await t.call(svc!, cmd!, {});
    // Found, then checked: "Lack of appid"; Tencent's callbacks first want their signature (401, in their shape).
    if (command.auth === "signed") expect({ name, status: answer.status, code: answer.body.code ?? answer.body.ErrorCode }).toEqual({ name, status: 401, code: 10101 });
    else expect({ name, code: answer.body.errorCode }).toEqual({ name, code: 10003 });
  }
  expect(commandsOf("classroom").get("live.recendcall")?.name).toBe("live.reccall");
  expect((await t.call("courses", "get", {})).body).toEqual({ errorCode: 10001, errorInfo: "Invalid request." });
});

test("the REST router serves every declared route (no route answers 404 Invalid request.)", async () => {
  for (const command of COMMANDS) {
    for (const route of restRoutesOf(command)) {
      const path = route.path.replace(":roomnum", "424242");
      const answer = await t.rest(route.method.toUpperCase(), path, { body: route.method === "get" ? undefined : {} });
      expect({ route: `${route.method} ${route.path}`, status: answer.status, code: answer.body?.errorCode }).not.toEqual({
        route: `${route.method} ${route.path}`,
        status: 404,
        code: 10001,
      });
    }
  }
});
