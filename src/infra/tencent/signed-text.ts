/**
 * What every signer here shares: a signature is made only when its signed text, read back
 * the way Tencent reads it, says exactly the request that was allowed. A request whose
 * signed form would say something else is refused with the field that makes it so.
 */

/** The request fields a signed text can be made ambiguous through (each has its 10003 text). */
export type UnsignableField = "host" | "path" | "params" | "bucket" | "filePath" | "key";

export class UnsignableError extends Error {
  constructor(
    readonly field: UnsignableField,
    reason: string,
  ) {
    super(`cannot sign ${field}: ${reason}`);
    this.name = "UnsignableError";
  }
}

/** `k=v&k=v` as Tencent reads its signed texts: split on every `&`, each pair on its first `=` (a pair without one has no value). */
export function readPairs(text: string): Array<[string, string | undefined]> {
  if (text === "") return [];
  return text.split("&").map((pair): [string, string | undefined] => {
    const equals = pair.indexOf("=");
    return equals < 0 ? [pair, undefined] : [pair.slice(0, equals), pair.slice(equals + 1)];
  });
}

/** Whether some key comes twice (Tencent's reading of a repeated key is not documented), letter case ignored if asked. */
export function hasRepeatedKey(pairs: ReadonlyArray<readonly [string, unknown]>, ignoreCase = false): boolean {
  const keys = pairs.map(([key]) => (ignoreCase ? key.toLowerCase() : key));
  return new Set(keys).size !== keys.length;
}

/** Two readings are the same pairs in the same order. */
export const samePairs = (a: ReadonlyArray<readonly [string, string | undefined]>, b: ReadonlyArray<readonly [string, string | undefined]>): boolean =>
  a.length === b.length && a.every(([key, value], i) => key === b[i]![0] && value === b[i]![1]);

/**
 * Characters no signed text carries: controls (C0, DEL, C1), format characters (bidi
 * overrides, zero-width), line and paragraph separators, private use, lone surrogates.
 * They delimit nothing in Tencent's texts, but they hide what a text says from the
 * people who read logs and consoles, and receivers' handling of them is not documented.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u;

export const hasInvisible = (text: string): boolean => !text.isWellFormed() || INVISIBLE.test(text);
