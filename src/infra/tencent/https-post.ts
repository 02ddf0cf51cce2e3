import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent, request as httpsRequest } from "node:https";

/**
 * One POST over HTTP(S) with an optional client certificate (mutual TLS, which Tencent's
 * ILVB backend API requires) and an optional extra CA to trust (a private test host).
 * The server's certificate is always verified. Bounded by `timeoutMs`; the body is read whole.
 */

export interface TlsIdentity {
  /** PEM client certificate and key (mutual TLS). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** PEM CA certificates to trust besides the system's. */
  ca?: string | Buffer;
}

export interface PostReply {
  status: number;
  text: string;
}

export class PostFailed extends Error {
  constructor(
    message: string,
    /** Whether the request may have reached the server (a timeout, a dropped answer). */
    readonly mayHaveArrived: boolean,
  ) {
    super(message);
    this.name = "PostFailed";
  }
}

/** Errors that mean no connection was made: the request never left. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "ERR_TLS_CERT_ALTNAME_INVALID"]);

export class HttpsPoster {
  private readonly agent: Agent;
  /** Plain HTTP (the emulator, a private test host) keeps its connections too. */
  private readonly httpAgent = new HttpAgent({ keepAlive: true });

  constructor(tls: TlsIdentity = {}) {
    this.agent = new Agent({ keepAlive: true, cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}) });
  }

  post(url: URL, body: string, contentType: string, timeoutMs: number): Promise<PostReply> {
    return new Promise((resolve, reject) => {
      const options = { method: "POST", headers: { "content-type": contentType, "content-length": Buffer.byteLength(body) } };
      const req =
        url.protocol === "https:" ? httpsRequest(url, { ...options, agent: this.agent }) : httpRequest(url, { ...options, agent: this.httpAgent });
      let sent = false;
      const timer = setTimeout(() => req.destroy(new PostFailed(`no answer within ${timeoutMs} ms`, true)), timeoutMs);
      req.once("finish", () => (sent = true));
      req.once("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.once("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
        });
        res.once("error", (error) => req.destroy(error));
      });
      req.once("error", (error: Error & { code?: string }) => {
        clearTimeout(timer);
        if (error instanceof PostFailed) return reject(error);
        reject(new PostFailed(error.message, sent && !NOT_SENT.has(error.code ?? "")));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
    this.httpAgent.destroy();
  }
}
