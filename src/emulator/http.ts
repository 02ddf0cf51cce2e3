/** What each emulated service sees of a request, and what it answers. */

export interface EmulatedRequest {
  method: string;
  /** Absolute (a request sent through the emulator as a proxy keeps its target's host). */
  url: URL;
  /** The Host the client addressed, without its port. */
  hostname: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export type EmulatorReply =
  | { kind: "json"; body: object; status?: number }
  | { kind: "text"; contentType: string; body: string | Buffer; status?: number; headers?: Record<string, string> }
  | { kind: "drop" };

export const json = (body: object, status = 200): EmulatorReply => ({ kind: "json", body, status });

/** The emulator's cloud account: what Tencent knows of the server's credentials. */
export interface EmulatedCloud {
  appId: number;
  secretId: string;
  secretKey: string;
  /** COS buckets (short names) and their region. */
  buckets: readonly string[];
  region: string;
}
