// A minimal WebAssembly assembler: functions written as opcode sequences, one module importing tfjs-wasm's memory.
//
// Why: the supernet's hot loops (depthwise filter gradients, batch-norm passes, the weighted sums of a
// mixed edge) are either missing from tfjs' wasm backend or run as slow generic code there. Kernels
// written here run SIMD code directly on the tensors in the backend's heap (zero copy). There is no
// compiler on the machines we target, so the module is assembled at run time from these helpers.

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

const TYPE_CODE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

function uleb(n: number, out: number[]): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`uleb: ${n}`);
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  if (!Number.isInteger(n)) throw new Error(`sleb: ${n}`);
  let more = true;
  while (more) {
    let b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) more = false;
    else b |= 0x80;
    out.push(b);
  }
}

function name(s: string, out: number[]): void {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  out.push(...bytes);
}

/** One function: typed params and locals by index, and a body of raw bytes emitted through the helpers. */
export class Fn {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: ValType[],
    readonly results: ValType[] = [],
  ) {}

  /** A new local of `type`; returns its index (after the params). */
  local(type: ValType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  get locals(): readonly ValType[] {
    return this.localTypes;
  }

  emit(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  get(i: number): this {
    this.code.push(0x20);
    uleb(i, this.code);
    return this;
  }

  set(i: number): this {
    this.code.push(0x21);
    uleb(i, this.code);
    return this;
  }

  tee(i: number): this {
    this.code.push(0x22);
    uleb(i, this.code);
    return this;
  }

  i32(n: number): this {
    this.code.push(0x41);
    sleb(n | 0, this.code);
    return this;
  }

  f32(x: number): this {
    this.code.push(0x43, ...new Uint8Array(new Float32Array([x]).buffer));
    return this;
  }

  f64(x: number): this {
    this.code.push(0x44, ...new Uint8Array(new Float64Array([x]).buffer));
    return this;
  }

  /** A SIMD instruction (0xfd prefix), with optional immediate bytes. */
  simd(op: number, ...imm: number[]): this {
    this.code.push(0xfd);
    uleb(op, this.code);
    this.code.push(...imm);
    return this;
  }

  private memarg(op: number[], align: number, offset: number): this {
    this.code.push(...op);
    uleb(align, this.code);
    uleb(offset, this.code);
    return this;
  }

  // Memory access: the address is on the stack; `offset` is a constant byte offset added to it.
  loadF32(offset = 0): this {
    return this.memarg([0x2a], 2, offset);
  }
  storeF32(offset = 0): this {
    return this.memarg([0x38], 2, offset);
  }
  loadI32(offset = 0): this {
    return this.memarg([0x28], 2, offset);
  }
  storeI32(offset = 0): this {
    return this.memarg([0x36], 2, offset);
  }
  loadF64(offset = 0): this {
    return this.memarg([0x2b], 3, offset);
  }
  storeF64(offset = 0): this {
    return this.memarg([0x39], 3, offset);
  }
  loadV(offset = 0): this {
    this.code.push(0xfd, 0x00);
    uleb(4, this.code);
    uleb(offset, this.code);
    return this;
  }
  storeV(offset = 0): this {
    this.code.push(0xfd, 0x0b);
    uleb(4, this.code);
    uleb(offset, this.code);
    return this;
  }

  /** Structured control flow: `block`/`loop`/`if` with no result, closed by `end`. */
  block(body: () => void): this {
    this.code.push(0x02, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }
  loop(body: () => void): this {
    this.code.push(0x03, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }
  /** Pops an i32 condition. */
  if(then: () => void, otherwise?: () => void): this {
    this.code.push(0x04, 0x40);
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.code.push(0x0b);
    return this;
  }
  br(depth: number): this {
    this.code.push(0x0c);
    uleb(depth, this.code);
    return this;
  }
  brIf(depth: number): this {
    this.code.push(0x0d);
    uleb(depth, this.code);
    return this;
  }

  /**
   * for (i = start; i < end; i += step) body — i32 counters, `start`/`end` emitted by the callbacks.
   * Skips the body entirely when start ≥ end. `continue` inside the body: br(1) jumps to the increment? No:
   * use `forContinue` when the body needs to skip to the next iteration.
   */
  for(i: number, start: () => void, end: () => void, step: number, body: () => void): this {
    start();
    this.set(i);
    return this.block(() => {
      // Guard: zero iterations.
      this.get(i);
      end();
      this.emit(0x4e /* i32.ge_s */).brIf(0);
      this.loop(() => {
        body();
        this.get(i).i32(step).emit(0x6a /* i32.add */).tee(i);
        end();
        this.emit(0x48 /* i32.lt_s */).brIf(0);
      });
    });
  }

  /**
   * Like `for`, but the body runs inside an inner block: `br(0)` from the body's top level skips to the
   * next iteration (depth counts from inside the body's own nesting, +1 per block/if/loop opened there).
   */
  forContinue(i: number, start: () => void, end: () => void, step: number, body: () => void): this {
    return this.for(i, start, end, step, () => this.block(body));
  }
}

/** Common opcodes (single byte), named as in the spec. */
export const OP = {
  drop: 0x1a,
  select: 0x1b,
  return: 0x0f,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_rem_s: 0x6f,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  f32_lt: 0x5d,
  f32_gt: 0x5e,
  f32_le: 0x5f,
  f32_ge: 0x60,
  f32_abs: 0x8b,
  f32_neg: 0x8c,
  f32_sqrt: 0x91,
  f32_add: 0x92,
  f32_sub: 0x93,
  f32_mul: 0x94,
  f32_div: 0x95,
  f32_min: 0x96,
  f32_max: 0x97,
  f64_add: 0xa0,
  f64_sub: 0xa1,
  f64_mul: 0xa2,
  f64_div: 0xa3,
  f64_sqrt: 0x9f,
  f32_demote_f64: 0xb6,
  f64_promote_f32: 0xbb,
  f32_convert_i32_s: 0xb2,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const SIMD = {
  i32x4_splat: 0x11,
  i32x4_eq: 0x37,
  f32x4_splat: 0x13,
  f64x2_splat: 0x14,
  f32x4_extract_lane: 0x1f,
  f64x2_extract_lane: 0x21,
  f32x4_eq: 0x41,
  f32x4_ne: 0x42,
  f32x4_lt: 0x43,
  f32x4_gt: 0x44,
  f32x4_le: 0x45,
  f32x4_ge: 0x46,
  v128_not: 0x4d,
  v128_and: 0x4e,
  v128_andnot: 0x4f,
  v128_or: 0x50,
  v128_xor: 0x51,
  v128_bitselect: 0x52,
  f32x4_demote_f64x2_zero: 0x5e,
  f64x2_promote_low_f32x4: 0x5f,
  i8x16_shuffle: 0x0d,
  f32x4_abs: 0xe0,
  f32x4_neg: 0xe1,
  f32x4_sqrt: 0xe3,
  f32x4_add: 0xe4,
  f32x4_sub: 0xe5,
  f32x4_mul: 0xe6,
  f32x4_div: 0xe7,
  f32x4_min: 0xe8,
  f32x4_max: 0xe9,
  f64x2_add: 0xf0,
  f64x2_sub: 0xf1,
  f64x2_mul: 0xf2,
} as const;

/** Assemble a module that imports `env.memory` and exports every function by its name. */
export function assembleModule(fns: Fn[]): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, body: number[]) => {
    out.push(id);
    uleb(body.length, out);
    out.push(...body);
  };
  // Types: one per function (duplicates are allowed).
  const types: number[] = [];
  uleb(fns.length, types);
  for (const f of fns) {
    types.push(0x60);
    uleb(f.params.length, types);
    for (const p of f.params) types.push(TYPE_CODE[p]);
    uleb(f.results.length, types);
    for (const r of f.results) types.push(TYPE_CODE[r]);
  }
  section(1, types);
  // Import: env.memory, min 1 page, no maximum (matches any memory the backend has).
  const imports: number[] = [];
  uleb(1, imports);
  name('env', imports);
  name('memory', imports);
  imports.push(0x02, 0x00);
  uleb(1, imports);
  section(2, imports);
  const funcs: number[] = [];
  uleb(fns.length, funcs);
  fns.forEach((_, i) => uleb(i, funcs));
  section(3, funcs);
  const exports: number[] = [];
  uleb(fns.length, exports);
  fns.forEach((f, i) => {
    name(f.name, exports);
    exports.push(0x00);
    uleb(i, exports);
  });
  section(7, exports);
  const code: number[] = [];
  uleb(fns.length, code);
  for (const f of fns) {
    const body: number[] = [];
    // Locals, run-length encoded by type.
    const runs: [number, ValType][] = [];
    for (const t of f.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(runs.length, body);
    for (const [n, t] of runs) {
      uleb(n, body);
      body.push(TYPE_CODE[t]);
    }
    body.push(...f.code, 0x0b);
    uleb(body.length, code);
    code.push(...body);
  }
  section(10, code);
  return new Uint8Array(out);
}
