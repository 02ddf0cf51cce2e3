import pino from "pino";

export type Logger = pino.Logger;

/**
 * Fields never written, at any level, wherever they sit in a line (up to two levels down):
 * passwords, tokens, userSigs, signatures and keys. The code logs none of them on purpose;
 * this is the net under it (`test/log-redaction.test.ts` runs both demos at trace level and
 * looks for every secret it saw).
 */
const SECRET_FIELDS = ["pwd", "password", "token", "usersig", "userSig", "sig", "sign", "Sign", "signature", "authorization", "privMapEncrypt", "secretKey", "secretId", "key"];
const REDACTED_PATHS = ["req.headers.authorization", ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`])];

/** Structured JSON logs. Request bodies, passwords, tokens and signatures are never logged. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = { level, base: { service: "sxb-edu" }, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
  return destination ? pino(options, destination) : pino(options);
}
