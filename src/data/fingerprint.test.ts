import { CsvRouter } from './csv-route';
import { bucketOf, fingerprint64 } from './fingerprint';

/**
 * Test vectors from an independent implementation: Python's mmh3 5.3.1 (the C reference code),
 * `int.from_bytes(mmh3.hash_bytes(key, 0, x64arch=False)[:8], 'little')`. They pin which split a row
 * goes to; if one changes, every user's splits change.
 */
const VECTORS: [string, bigint][] = [
  ['', 0n],
  ['61', 6149295974043128636n],
  ['6162', 2719664070616961503n],
  ['616263', 11722877137761191633n],
  ['61626364', 5021450012940749994n],
  ['6162636465', 6711706759242723067n],
  ['68656c6c6f2c20776f726c64', 13382879631496011868n],
  ['303132333435363738396162636465', 5550713754661340269n],
  ['30313233343536373839616263646566', 3940318768118187017n],
  ['3031323334353637383961626364656667', 5866845021170276406n],
  ['30313233343536373839616263646566303132333435363738396162636465663031', 6074146461738974592n],
  ['322c31332e32352c466c617368204361622c22612c62222cc384', 1997141793467858794n],
  [Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('hex'), 15800039124755728527n],
];

describe('split fingerprint (MurmurHash3_x86_128, first 64 bits)', () => {
  it('matches the reference implementation on pinned test vectors (every tail length, multi-block, UTF-8, all byte values)', () => {
    for (const [hex, expected] of VECTORS) expect({ hex, value: fingerprint64(Buffer.from(hex, 'hex')) }).toEqual({ hex, value: expected });
  });

  it('the WebAssembly router (csv-route.wat) computes the same fingerprints', async () => {
    const router = await CsvRouter.load();
    for (const [hex, expected] of VECTORS) expect({ hex, value: router!.fingerprint64(Buffer.from(hex, 'hex')) }).toEqual({ hex, value: expected });
  });

  it('hashes a range of a larger buffer as it hashes the bytes alone', () => {
    const key = Buffer.from('2,13.25,Flash Cab,"a,b",Ä');
    const padded = Buffer.concat([Buffer.from('xxx\n'), key, Buffer.from('\nyyy')]);
    expect(fingerprint64(padded, 4, 4 + key.length)).toBe(fingerprint64(key));
  });

  it('bucketOf is the fingerprint modulo the number of buckets, exactly', () => {
    for (const [hex, value] of VECTORS) {
      const bytes = Buffer.from(hex, 'hex');
      for (const total of [1, 3, 10, 97, 1000, (1 << 26) - 5]) {
        expect({ hex, total, bucket: bucketOf(bytes, 0, bytes.length, total) }).toEqual({ hex, total, bucket: Number(value % BigInt(total)) });
      }
    }
  });
});
