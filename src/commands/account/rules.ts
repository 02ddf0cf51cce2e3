/** Limits of account fields (ids as the original's varchar(50); passwords opaque, ≤ 64 bytes). */
export const idRules = { emptyIsLack: true, maxLength: 50, maxFoldedLength: 50, printable: true } as const;
export const passwordRules = { emptyIsLack: true, maxBytes: 64 } as const;
