/** Tencent's own userSig v2 library (tencentyun/tls-sig-api-v2-node), used by the tests as the reference. */
declare module "tls-sig-api-v2/TLSSigAPIv2" {
  export class Api {
    constructor(sdkappid: number, key: string);
    genUserSig(userid: string, expire: number): string;
    genPrivateMapKey(userid: string, expire: number, roomid: number, privilegeMap: number): string;
  }
}
