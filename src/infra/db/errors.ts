import { Prisma } from "../../generated/prisma/client";

/** A unique constraint refused the write (a concurrent request won, or a duplicate). */
export const isUniqueViolation = (error: unknown): boolean => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
