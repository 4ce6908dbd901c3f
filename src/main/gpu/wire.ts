// One binary frame per message between the Node job host and the engine in Chromium: a JSON header, then typed arrays raw.
//
// Layout: [u32 LE header length][header: UTF-8 JSON {"$blobs": [byte lengths], "$body": message}]
//         [zero padding to 8][blob 0][padding to 8][blob 1]…
// Typed arrays anywhere in a message travel as blobs (no base64, no number-by-number JSON), so a batch
// of 64 CIFAR images or a 16 MB checkpoint crosses the WebSocket as one copy. Non-finite numbers and
// Maps survive the trip, where plain JSON would turn them into null and {}.

type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Uint8ClampedArray;
type TypedCtor = { new (buffer: ArrayBuffer, byteOffset: number, length: number): TypedArray; BYTES_PER_ELEMENT: number };

const TYPED: Record<string, TypedCtor> = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
};

const align8 = (n: number) => (n + 7) & ~7;

/** Encode a message (plain data, typed arrays, ArrayBuffers, Maps, non-finite numbers) as one frame. */
export function encodeFrame(message: unknown): Uint8Array<ArrayBuffer> {
  const blobs: Uint8Array[] = [];
  const body = JSON.stringify(message, function (this: unknown, key: string, value: unknown) {
    // `this[key]` is the raw value, before toJSON: typed arrays and Maps are caught here.
    const raw = (this as Record<string, unknown>)[key];
    if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) {
      // A Node Buffer is a Uint8Array subclass: name the nearest standard type.
      const name = raw.constructor.name in TYPED ? raw.constructor.name : Object.keys(TYPED).find((n) => raw instanceof TYPED[n]!);
      if (!name) throw new Error(`wire: cannot send a ${raw.constructor.name}`);
      blobs.push(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
      return { $typed: name, $blob: blobs.length - 1 };
    }
    if (raw instanceof ArrayBuffer) {
      blobs.push(new Uint8Array(raw));
      return { $typed: 'ArrayBuffer', $blob: blobs.length - 1 };
    }
    if (raw instanceof Map) return { $map: [...raw.entries()] };
    if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
    return value;
  });
  const head = new TextEncoder().encode(`{"$blobs":${JSON.stringify(blobs.map((b) => b.byteLength))},"$body":${body ?? 'null'}}`);
  let size = align8(4 + head.length);
  const offsets = blobs.map((b) => {
    const at = size;
    size = align8(size + b.byteLength);
    return at;
  });
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  blobs.forEach((b, i) => out.set(b, offsets[i]!));
  return out;
}

/** Decode a frame. Typed arrays are views on the frame where aligned (the caller must not reuse it), else copies. */
export function decodeFrame<T = unknown>(frame: ArrayBuffer | Uint8Array): T {
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  if (bytes.byteLength < 4) throw new Error('wire: truncated frame');
  const headLen = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (4 + headLen > bytes.byteLength) throw new Error('wire: truncated header');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headLen)), (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const v = value as Record<string, unknown>;
      if (Array.isArray(v.$map)) return new Map(v.$map as [unknown, unknown][]);
      if (typeof v.$num === 'string') return Number(v.$num);
    }
    return value;
  }) as { $blobs: number[]; $body: unknown };
  if (!Array.isArray(header.$blobs)) throw new Error('wire: not a frame (no blob table)');
  let at = align8(4 + headLen);
  const views = header.$blobs.map((len) => {
    if (at + len > bytes.byteLength) throw new Error('wire: truncated blob');
    const v = bytes.subarray(at, at + len);
    at = align8(at + len);
    return v;
  });
  const make = (name: string, index: number): unknown => {
    const v = views[index];
    if (!v) throw new Error(`wire: no blob ${index}`);
    if (name === 'ArrayBuffer') return v.slice().buffer;
    const T = TYPED[name];
    if (!T) throw new Error(`wire: unknown typed array ${name}`);
    const src = v.byteOffset % T.BYTES_PER_ELEMENT === 0 ? v : v.slice();
    return new T(src.buffer as ArrayBuffer, src.byteOffset, src.byteLength / T.BYTES_PER_ELEMENT);
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = walk(v[i]);
      return v;
    }
    if (v instanceof Map) {
      for (const [k, x] of v) v.set(k, walk(x));
      return v;
    }
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.$typed === 'string' && typeof o.$blob === 'number') return make(o.$typed, o.$blob);
      for (const k of Object.keys(o)) o[k] = walk(o[k]);
    }
    return v;
  };
  return walk(header.$body) as T;
}
