import { lookup } from "node:dns/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP } from "node:net";

/**
 * One webhook call, bounded: the whole call within `timeoutMs`, the answer's body never read
 * (its status is all that counts: a receiver answering megabytes costs nothing), redirects not
 * followed (a 3xx is a failure), and, unless allowed, never to a loopback, private, link-local
 * or otherwise internal address (SSRF): the host is resolved first, every address it has is
 * checked, and the call goes to the checked address (a second lookup could answer another).
 */

export interface SendOutcome {
  ok: boolean;
  status?: number;
  error?: string;
}

/** Addresses a webhook may not reach unless WEBHOOKS_ALLOW_PRIVATE: Node's own BlockList, with IANA's special-purpose ranges. */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  INTERNAL.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  INTERNAL.addSubnet(network, prefix, "ipv6");
}

/** Whether an address is internal (an IPv4-mapped IPv6 address is judged as its IPv4). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return INTERNAL.check(mapped, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** The address to call: the host's first address, once every one of them is allowed. */
async function addressOf(host: string, allowPrivate: boolean): Promise<{ address: string; family: number }> {
  const bare = host.replace(/^\[|\]$/g, "");
  const addresses = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await lookup(bare, { all: true, verbatim: true });
  if (addresses.length === 0) throw new Error(`${host} has no address`);
  const internal = addresses.find((a) => isInternalAddress(a.address));
  if (internal && !allowPrivate) throw new Error(`${host} resolves to ${internal.address}, an internal address (WEBHOOKS_ALLOW_PRIVATE is off)`);
  return addresses[0]!;
}

export async function postWebhook(url: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; allowPrivate: boolean }): Promise<SendOutcome> {
  const target = new URL(url);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  try {
    const { address, family } = await addressOf(target.hostname, options.allowPrivate);
    const status = await new Promise<number>((resolve, reject) => {
      const send = target.protocol === "https:" ? httpsRequest : httpRequest;
      const req = send(
        target,
        {
          method: "POST",
          headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "sxb-edu-webhooks/1" },
          // The checked address, whatever DNS would answer now; TLS still checks the host's name.
          lookup: (_host, _options, callback) => callback(null, address, family),
          signal: deadline,
          agent: false,
        },
        (res) => {
          resolve(res.statusCode ?? 0);
          res.destroy();
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    if (status >= 200 && status < 300) return { ok: true, status };
    return { ok: false, status, error: status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}` };
  } catch (error) {
    const message = deadline.aborted ? `no answer within ${options.timeoutMs} ms` : error instanceof Error ? error.message : String(error);
    return { ok: false, error: message };
  }
}
