/** Jest runs TypeScript through @swc/jest (type-checking is `npm run typecheck`).
 *  The generated Prisma client loads its query compiler with a dynamic import(),
 *  which must stay a native import() under CommonJS: hence `ignoreDynamic`. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "commonjs", ignoreDynamic: true },
      },
    ],
  },
  maxWorkers: 2,
  testTimeout: 30000,
  forceExit: false,
};
