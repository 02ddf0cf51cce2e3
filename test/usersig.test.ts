import fc from "fast-check";
// The file itself: the package names two "main"s, and jest reads the one that does not exist.
import { Api } from "tls-sig-api-v2/TLSSigAPIv2";
import { genPrivateMapKey, genUserSig, isValidUserSig } from "../src/infra/tencent/usersig";

/**
 * The userSig v2 and the privilege map key the server makes are byte for byte what Tencent's own
 * library (tls-sig-api-v2) makes, for every ASCII identifier Tencent accepts (letters, digits, `_`
 * and `-`, up to 32), any room and privileges; that library reads its clock, so the clock is held
 * still for both. (For non-ASCII ids the library writes UTF-16 code units cut to bytes, which no
 * reader can take back; the server writes UTF-8.)
 */

const APP = { sdkAppId: 1400000001, secretKey: "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e" };
const identifier = fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/);

function atSecond<T>(seconds: number, work: () => T): T {
  const clock = jest.spyOn(Date, "now").mockReturnValue(seconds * 1000 + 417);
  try {
    return work();
  } finally {
    clock.mockRestore();
  }
}

test("userSig: the same bytes as Tencent's genUserSig", () => {
  fc.assert(
    fc.property(identifier, fc.integer({ min: 1, max: 15552000 }), fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }), (id, expire, now) => {
      const ours = genUserSig({ ...APP, identifier: id, expireSeconds: expire, now });
      const tencents = atSecond(now, () => new Api(APP.sdkAppId, APP.secretKey).genUserSig(id, expire));
      expect(ours).toBe(tencents);
    }),
    { seed: 20261207, numRuns: 200 },
  );
});

test("privilege map key: the same bytes as Tencent's genPrivateMapKey (account type 0, as that library writes it)", () => {
  fc.assert(
    fc.property(identifier, fc.integer({ min: 1, max: 86400 }), fc.integer({ min: 1, max: 4294967295 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }), (id, expire, room, privileges, now) => {
      const ours = genPrivateMapKey({ ...APP, identifier: id, expireSeconds: expire, roomnum: room, privilegeMap: privileges, accountType: 0, now });
      const tencents = atSecond(now, () => new Api(APP.sdkAppId, APP.secretKey).genPrivateMapKey(id, expire, room, privileges));
      expect(ours).toBe(tencents);
    }),
    { seed: 20261207, numRuns: 200 },
  );
});

test("account.verify's check: a valid userSig of this id and app passes; another id, app, key, a forged or expired one does not", () => {
  const now = 1_800_000_000;
  const sig = new Api(APP.sdkAppId, APP.secretKey).genUserSig("alice", 600);
  expect(isValidUserSig(sig, APP, "alice")).toBe(true);
  expect(isValidUserSig(sig, APP, "bob")).toBe(false);
  expect(isValidUserSig(sig, { ...APP, sdkAppId: 1400000002 }, "alice")).toBe(false);
  expect(isValidUserSig(sig, { ...APP, secretKey: "another key" }, "alice")).toBe(false);
  expect(isValidUserSig(sig.slice(0, -4), APP, "alice")).toBe(false);
  expect(isValidUserSig("not a sig", APP, "alice")).toBe(false);
  const old = genUserSig({ ...APP, identifier: "alice", expireSeconds: 600, now: now - 601 });
  expect(isValidUserSig(old, APP, "alice", now)).toBe(false);
  expect(isValidUserSig(genUserSig({ ...APP, identifier: "alice", expireSeconds: 600, now: now - 600 }), APP, "alice", now)).toBe(true);
  // A privilege map key is a userSig too (its userbuf is signed).
  expect(isValidUserSig(new Api(APP.sdkAppId, APP.secretKey).genPrivateMapKey("alice", 600, 10001, 255), APP, "alice")).toBe(true);
});
