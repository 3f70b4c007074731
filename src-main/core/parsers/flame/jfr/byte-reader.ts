/** Thrown inside the JFR reader when a read would pass the end of the data; caught per chunk / event. */
export class JfrOutOfBounds extends Error {
  constructor(at: number) {
    super(`read past the end of the data at byte ${at}`);
    this.name = 'JfrOutOfBounds';
  }
}

/**
 * Big-endian reads over one JFR chunk. With compressed integers (chunk feature bit 0, always set by JDK 11+ and
 * async-profiler) ints, longs, shorts and chars are unsigned LEB128 of their two's-complement bits.
 */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
    readonly compressed: boolean,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(bytes: number): void {
    if (this.pos + bytes > this.end) throw new JfrOutOfBounds(this.pos);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  i8(): number {
    const b = this.u8();
    return b >= 0x80 ? b - 0x100 : b;
  }

  bool(): boolean {
    return this.u8() !== 0;
  }

  fixedI16(): number {
    this.need(2);
    const value = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return value;
  }

  fixedI32(): number {
    this.need(4);
    const value = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return value;
  }

  fixedI64(): number {
    this.need(8);
    const value = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return Number(value);
  }

  float(): number {
    this.need(4);
    const value = this.buf.readFloatBE(this.pos);
    this.pos += 4;
    return value;
  }

  double(): number {
    this.need(8);
    const value = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return value;
  }

  /** LEB128, up to 9 bytes (the 9th carries 8 bits); the 64-bit result is read as two's complement. */
  varlong(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.u8();
      result += (b & 0x7f) * multiplier;
      if (b < 0x80) return result;
      multiplier *= 128;
    }
    // Beyond 49 bits a double is no longer exact and the sign bit may be set: finish in BigInt.
    let big = BigInt(result);
    const eighth = this.u8();
    big |= BigInt(eighth & 0x7f) << 49n;
    if (eighth >= 0x80) big |= BigInt(this.u8()) << 56n;
    return Number(BigInt.asIntN(64, big));
  }

  int(): number {
    return this.compressed ? this.varlong() | 0 : this.fixedI32();
  }

  long(): number {
    return this.compressed ? this.varlong() : this.fixedI64();
  }

  short(): number {
    return this.compressed ? (this.varlong() << 16) >> 16 : this.fixedI16();
  }

  char(): number {
    return this.compressed ? this.varlong() & 0xffff : this.fixedI16() & 0xffff;
  }

  bytes(length: number): Buffer {
    if (length < 0) throw new JfrOutOfBounds(this.pos);
    this.need(length);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}
