import pino from "pino";

export type Logger = pino.Logger;

/** Structured JSON logs. Request bodies, passwords, tokens and signatures are never logged. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "sxb-edu" },
    redact: { paths: ["req.headers.authorization", "*.pwd", "*.token", "*.usersig", "*.userSig"], censor: "[redacted]" },
  });
}
