import { accessSync, constants } from "node:fs";
import { z } from "zod";

/** The kinds of value configuration keys take (src/config.ts declares the keys with them). */

export const commaList = z.string().transform((text) => text.split(",").map((item) => item.trim()).filter(Boolean));

export const boolString = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

export const positiveInt = z.coerce.number().int().positive();
export const nonNegativeInt = z.coerce.number().int().nonnegative();

export const jsonOf = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "not valid JSON" });
      return z.NEVER;
    }
  }).pipe(schema);

/** A path to a file the server can read (certificates, keys). */
export const readableFile = z.string().refine((path) => {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}, "must be a readable file");

/** A Redis Cluster seed node: host:port (an IPv6 address in brackets). */
const CLUSTER_NODE = /^(\[[0-9a-fA-F:.]+\]|[\w.-]+):(\d{1,5})$/;
export const clusterNode = z
  .string()
  .transform((node, ctx) => {
    const [, host, port] = CLUSTER_NODE.exec(node) ?? [];
    if (host !== undefined && Number(port) >= 1 && Number(port) <= 65535) return { host: host.replace(/^\[|\]$/g, ""), port: Number(port) };
    ctx.addIssue({ code: "custom", message: "must be host:port seed nodes, comma-separated" });
    return z.NEVER;
  });

export const urlString = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ""));

