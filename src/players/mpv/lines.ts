// Newline framing for mpv's IPC stream. Lines are split on the 0x0A byte before decoding: that byte never occurs
// inside a multi-byte UTF-8 sequence, so a character cut across two chunks is reassembled intact, and each line is
// decoded leniently (invalid bytes become U+FFFD) because mpv can emit non-UTF-8 file names and tags.

export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`mpv IPC line longer than ${limit} bytes`);
    this.name = "LineTooLongError";
  }
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Bytes of an unfinished line held back (a half line when the peer closes). */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Feed a chunk; returns the complete lines in it. Throws LineTooLongError when a line exceeds the limit. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const part = chunk.subarray(start, nl);
      this.check(this.pendingBytes + part.length);
      const line = this.pendingBytes === 0 ? part : Buffer.concat([...this.pending, part]);
      this.pending = [];
      this.pendingBytes = 0;
      lines.push(line.toString("utf8"));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.check(this.pendingBytes + rest.length);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    return lines;
  }

  private check(bytes: number): void {
    if (bytes > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      throw new LineTooLongError(this.maxLineBytes);
    }
  }
}
