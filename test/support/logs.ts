import { Writable } from "node:stream";
import type pino from "pino";
import { createLogger } from "../../src/logger";

/** The server's logger (its redaction included) whose lines the test reads: parsed (`lines`) and as written (`texts`, to grep for secrets). */
export function capturingLogger(level = "info"): { log: pino.Logger; lines: Array<Record<string, unknown>>; texts: string[] } {
  const lines: Array<Record<string, unknown>> = [];
  const texts: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        texts.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { log: createLogger(level, sink), lines, texts };
}
