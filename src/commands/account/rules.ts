import type { CommandLimits } from "../command";
/** Limits of account fields (ids as the original's varchar(50); passwords opaque, ≤ 64 bytes). */
export const idRules = { emptyIsLack: true, maxLength: 50, maxFoldedLength: 50, printable: true } as const;
export const passwordRules = { emptyIsLack: true, maxBytes: 64 } as const;

/** Logins and registrations: limited per client address and per account named (password guessing). */
export const credentialLimits = (idField: string): CommandLimits => ({ perAddress: "loginPerAddress", perAccount: { limit: "loginPerAccount", field: idField } });
