import pino from "pino";
import pretty from "pino-pretty";

export type Logger = pino.Logger;

/**
 * Fields never written, at any level, wherever they sit in a line (up to two levels down):
 * passwords, tokens, userSigs, signatures and keys. The code logs none of them on purpose;
 * this is the net under it (`test/log-redaction.test.ts` runs both demos at trace level and
 * looks for every secret it saw).
 */
const SECRET_FIELDS = ["pwd", "password", "token", "usersig", "userSig", "sig", "sign", "Sign", "signature", "authorization", "privMapEncrypt", "secretKey", "secretId", "key"];
const REDACTED_PATHS = ["req.headers.authorization", ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`])];

/**
 * Structured JSON logs (or, `pretty`, readable lines for a developer's terminal, written in the
 * process: no worker thread). Request bodies, passwords, tokens and signatures are never logged.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, options: { pretty?: boolean } = {}): Logger {
  const settings: pino.LoggerOptions = { level, base: { service: "sxb-edu" }, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
  const out = destination ?? (options.pretty ? pretty({ colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service", sync: true }) : undefined);
  return out ? pino(settings, out) : pino(settings);
}
