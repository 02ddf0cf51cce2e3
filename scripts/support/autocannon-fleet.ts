import { readFileSync } from "node:fs";
import autocannon from "autocannon";

/**
 * The fleet benchmark's load generator when wrk is missing: autocannon, in a process of its own
 * (its CPU is not the server's), each request the next body of the file; prints the figures line
 * the benchmark reads. Arguments: url, bodies file, connections, seconds, expected answer ("": any), requests per second ("": as fast as answered).
 */
async function main(): Promise<void> {
  const [url, file, connections, seconds, expected, rate] = process.argv.slice(2);
  const bodies = readFileSync(file!, "utf8").split("\n").filter(Boolean);
  let next = 0;
  // autocannon refuses expectBody beside a requests list: each answer is compared here instead.
  let mismatches = 0;
  const result = await autocannon({
    url: url!,
    connections: Number(connections),
    duration: Number(seconds),
    ...(rate ? { overallRate: Number(rate) } : {}),
    method: "POST",
    headers: { "content-type": "application/json" },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: bodies[(next = (next + 1) % bodies.length)] }),
        onResponse: (_status, body) => {
          if (expected && body !== expected) mismatches += 1;
        },
      },
    ],
  });
  const errors = result.errors + result.timeouts + result.non2xx + mismatches;
  process.stdout.write(`FIGURES ${result.requests.total} ${result.requests.average} ${result.latency.p50} ${result.latency.p99} ${errors}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
