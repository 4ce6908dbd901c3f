// A pull reader over a byte stream: exact-length reads for headers, then whole fixed-size records in chunks.

export class ByteStream {
  private readonly it: AsyncIterator<Uint8Array>;
  private buf: Uint8Array = new Uint8Array(0);
  private ended = false;
  /** Bytes handed out so far. */
  consumed = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Buffer at least `n` bytes if the stream has them; returns how many are buffered. */
  private async fill(n: number): Promise<number> {
    if (this.buf.length >= n || this.ended) return this.buf.length;
    const parts: Uint8Array[] = [this.buf];
    let have = this.buf.length;
    while (have < n) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        break;
      }
      parts.push(r.value);
      have += r.value.length;
    }
    this.buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    return this.buf.length;
  }

  private take(n: number): Uint8Array {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.consumed += n;
    return out;
  }

  /** Exactly `n` bytes, or fewer if the stream ends first (the caller reports truncation). */
  async read(n: number): Promise<Uint8Array> {
    await this.fill(n);
    return this.take(Math.min(n, this.buf.length));
  }

  /**
   * Up to `perChunk` whole records of `recordSize` bytes at a time (a copy the caller may keep);
   * a trailing partial record is left unread, for `atEnd` / `remainder` to report.
   */
  async *records(recordSize: number, perChunk: number, limit = Infinity): AsyncGenerator<Uint8Array> {
    let left = limit;
    while (left > 0) {
      const want = Math.min(perChunk, left) * recordSize;
      const have = await this.fill(want);
      const whole = Math.min(Math.floor(have / recordSize), Math.min(perChunk, left));
      if (whole === 0) return;
      left -= whole;
      yield new Uint8Array(this.take(whole * recordSize));
    }
  }

  /** Stop reading: the source stream is closed. */
  async close(): Promise<void> {
    this.ended = true;
    this.buf = new Uint8Array(0);
    await this.it.return?.();
  }

  /** Bytes left in the stream (reads to the end). */
  async remainder(): Promise<number> {
    let n = this.buf.length;
    this.buf = new Uint8Array(0);
    if (this.ended) return n;
    for (;;) {
      const r = await this.it.next();
      if (r.done) break;
      n += r.value.length;
    }
    this.ended = true;
    return n;
  }
}
