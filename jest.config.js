/** Jest runs TypeScript through @swc/jest (type-checking is `npm run typecheck`).
 *  The generated Prisma client loads its query compiler with a dynamic import(); it
 *  must be compiled to require() (a native import() fails under jest's VM without
 *  --experimental-vm-modules), so `ignoreDynamic` stays off. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "commonjs" },
      },
    ],
  },
  maxWorkers: 2,
  testTimeout: 30000,
};
