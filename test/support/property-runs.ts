/**
 * The runs of one test's fast-check property. When the test ends (a jest timeout included, after
 * which fast-check would go on running the property in the background) no further run starts, and
 * the run in flight is awaited: a property never changes state under the next test.
 */
export class PropertyRuns {
  private ended = false;
  private inFlight: Promise<unknown> = Promise.resolve();

  /** Runs one case of the property, unless its test has ended (then the case passes untried). */
  run(body: () => Promise<void>): Promise<void> {
    if (this.ended) return Promise.resolve();
    const running = body();
    this.inFlight = running.catch(() => undefined);
    return running;
  }

  /** The test has ended: waits for the run in flight; later runs do nothing. */
  async end(): Promise<void> {
    this.ended = true;
    await this.inFlight;
  }
}
