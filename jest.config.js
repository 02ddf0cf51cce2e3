/** Jest runs TypeScript through @swc/jest (type-checking is `npm run typecheck`).
 *  The generated Prisma client loads its query compiler with a dynamic import(); it
 *  must be compiled to require() (a native import() fails under jest's VM without
 *  --experimental-vm-modules), so `ignoreDynamic` stays off. */
module.exports = {
  testEnvironment: "node",
  // src is a root too, so that `npx jest --findRelatedTests src/<file>.ts` finds the tests of a source file.
  roots: ["<rootDir>/src", "<rootDir>/test"],
  testMatch: ["<rootDir>/test/**/*.test.ts"],
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
