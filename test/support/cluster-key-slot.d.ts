/** cluster-key-slot (the hash slot function ioredis' cluster client uses) ships no types. */
declare module "cluster-key-slot" {
  /** Redis Cluster's hash slot of a key (CRC16 of its hash tag, or of the whole key, mod 16384). */
  function generate(key: string | Buffer): number;
  namespace generate {
    /** The slot all the keys share, or -1 if they are in more than one. */
    function generateMulti(keys: ReadonlyArray<string | Buffer>): number;
  }
  export = generate;
}
