import { defineConfig } from "prisma/config";

// The env() helper throws when DATABASE_URL is unset, even for `prisma generate`.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/sxb_edu" },
});
