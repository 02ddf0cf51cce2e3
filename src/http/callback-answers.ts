import { z } from "zod";
import type { Envelope } from "../commands/command";
import { type AppError, ErrorCode, Errors } from "../errors";

/**
 * Answers to Tencent's callbacks, in Tencent's shapes, on every door. What Tencent reads is
 * the HTTP status: anything but 200 makes it retry (recording callbacks: 3 times, 60 s
 * apart). So an internal failure (the record may not be stored) answers 500, a signature we
 * refuse answers 401 (Tencent's console shows the failures: a key mismatch gets noticed),
 * and a payload we can never accept answers 200 with its code (a retry cannot help).
 * A body that is not JSON keeps the original's standard 10002 envelope (the caller's job).
 */

export type CallbackEnvelope = Exclude<Envelope, "standard">;

export interface CallbackAnswer {
  status: number;
  body: object;
}

/** The outcome of a callback: its data, a refusal, or an unexpected failure. */
export type CallbackOutcome = { data: object | undefined } | { error: AppError } | { failure: unknown };

const statusOf = (error: AppError): number => (error.code === ErrorCode.server ? 500 : error.kind === "credentials" ? 401 : 200);

/** Each callback envelope's answer (the OpenAPI document's schemas). */
export const CALLBACK_ANSWER_SHAPES = {
  liveCallback: z.object({ code: z.int() }),
  liveEvent: z.object({ code: z.int(), errorCode: z.int(), errorInfo: z.string() }),
  imCallback: z.object({ ActionStatus: z.enum(["OK", "FAIL"]), ErrorCode: z.int(), ErrorInfo: z.string() }),
} as const satisfies Record<CallbackEnvelope, z.ZodType>;

type CallbackAnswerBody = { [E in CallbackEnvelope]: z.input<(typeof CALLBACK_ANSWER_SHAPES)[E]> }[CallbackEnvelope];

function shape(envelope: CallbackEnvelope, status: number, code: number, info: string): CallbackAnswerBody {
  switch (envelope) {
    case "liveCallback":
      return { code };
    case "liveEvent":
      // Tencent reads `code`; the live shows' original answered the standard envelope: both readers are served.
      return { code, errorCode: code, errorInfo: info };
    case "imCallback":
      return { ActionStatus: status === 200 ? "OK" : "FAIL", ErrorCode: code, ErrorInfo: info };
  }
}

export function callbackAnswer(envelope: CallbackEnvelope, outcome: CallbackOutcome): CallbackAnswer {
  if ("data" in outcome) return { status: 200, body: shape(envelope, 200, ErrorCode.success, "") };
  const error = "error" in outcome ? outcome.error : Errors.server();
  const status = statusOf(error);
  return { status, body: shape(envelope, status, error.code, error.info) };
}
