import type { SdkApp } from "../../config";
import { ImError, ImRest, type ImRestOptions } from "./im-rest";

/**
 * Tencent's replay index service (`ilvb_video_replay/create_replay_index`, IM REST style;
 * protocol.md §7.2): given a class's IM range and attendees it builds the replay index file.
 * It answers at once with the file when it already exists, or later calls the index-file
 * callback. Tencent's own appears retired; its base URL is configuration.
 */

export interface ReplayIndexRequest {
  GroupId: string;
  MsgSeqStart: number;
  MsgSeqEnd: number;
  MaxMsgSeqVideoEnd: number;
  UserList: Array<{ Account: string }>;
}

/** The index file, when the service answered it at once (else it calls back later). */
export interface BuiltReplayIndex {
  fileUrl: string;
  /** Unix seconds. */
  createTime: number;
}

/** The original's result codes: −2 no usable answer, −3 the service answered an error. */
export type ReplayIndexFailure = -2 | -3;

export class ReplayIndexError extends Error {
  constructor(
    readonly result: ReplayIndexFailure,
    readonly code: number,
    readonly info: string,
  ) {
    super(`create_replay_index: ${result} [${code}] ${info}`);
    this.name = "ReplayIndexError";
  }
}

/** Reads `ReplayIndex: {FileUrl, CreateTime}` of an answer or a callback, if it is whole. */
export function builtIndexOf(reply: Record<string, unknown>): BuiltReplayIndex | undefined {
  const index = reply.ReplayIndex;
  if (typeof index !== "object" || index === null) return undefined;
  const { FileUrl: fileUrl, CreateTime: createTime } = index as Record<string, unknown>;
  if (typeof fileUrl !== "string" || typeof createTime !== "number" || !Number.isInteger(createTime)) return undefined;
  return { fileUrl, createTime };
}

export class ReplayIndexClient {
  private readonly rest: ImRest;

  constructor(options: ImRestOptions) {
    this.rest = new ImRest(options);
  }

  /** Closes the kept connections. */
  close(): void {
    this.rest.close();
  }

  /** Asks for the index; the built index if the answer carries it. Throws ReplayIndexError. */
  async create(app: SdkApp, request: ReplayIndexRequest): Promise<BuiltReplayIndex | undefined> {
    try {
      return builtIndexOf(await this.rest.call(app, "ilvb_video_replay/create_replay_index", request));
    } catch (error) {
      if (!(error instanceof ImError)) throw error;
      if (error.imErrorCode !== undefined) throw new ReplayIndexError(-3, error.imErrorCode, error.imErrorInfo);
      throw new ReplayIndexError(-2, 0, error.message);
    }
  }
}
