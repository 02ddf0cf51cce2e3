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
  // How long a worker may take to exit once told to (jest's default: 500 ms, then "a worker process
  // has failed to exit gracefully"). Measured at the end of a full run: the workers leave no handle
  // open and exit by themselves (code 0), but in their last two seconds their event loops were
  // blocked 0.3–1.9 s at a time (an event-loop monitor's reading), so they read the request late.
  workerGracefulExitTimeout: 5000,
  testTimeout: 30000,
};
