/*
 * SHA-256 of up to eight messages at once, one per 32-bit lane of an AVX2 register ("multi-buffer" hashing).
 *
 * OpenSSL hashes one message at a time; on x86-64 CPUs without the SHA extensions (Intel before Ice Lake) it
 * reaches ~8 cycles per byte, which made hashing a fifth of an ingest's CPU time. The rounds of one message depend
 * on each other, but those of different messages do not: eight files hashed side by side cost about as much as
 * two hashed by OpenSSL. With AVX-512VL the same code uses its three-input logic and rotate instructions.
 *
 * JS keeps the states, reads the files and pads the last block; this file only runs the compression function.
 * It builds everywhere; `features()` says whether the lanes can run on this CPU.
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#define LANES 8
#define WORDS 8
#define BLOCK 64

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_LANES 1
#include <immintrin.h>
#include <cpuid.h>

static const uint32_t K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint8_t ZERO_BLOCK[BLOCK];

/*
 * The compression function over eight lanes, written once and compiled twice: for AVX2, and for AVX-512VL, whose
 * vprord and vpternlogd do a rotate or a three-input function (xor3, Ch, Maj) in one instruction.
 */
#define ADD(a, b) _mm256_add_epi32(a, b)
#define ROUND(a, b, c, d, e, f, g, h, t) do { \
    __m256i t1 = ADD(ADD(h, XOR3(ROTR(e, 6), ROTR(e, 11), ROTR(e, 25))), \
                     ADD(CH(e, f, g), ADD(w[(t) & 15], _mm256_set1_epi32((int)K[t])))); \
    d = ADD(d, t1); \
    h = ADD(t1, ADD(XOR3(ROTR(a, 2), ROTR(a, 13), ROTR(a, 22)), MAJ(a, b, c))); \
  } while (0)
#define SCHEDULE(t) do { \
    __m256i w15 = w[((t) - 15) & 15], w2 = w[((t) - 2) & 15]; \
    w[(t) & 15] = ADD(ADD(w[(t) & 15], XOR3(ROTR(w15, 7), ROTR(w15, 18), _mm256_srli_epi32(w15, 3))), \
                      ADD(w[((t) - 7) & 15], XOR3(ROTR(w2, 17), ROTR(w2, 19), _mm256_srli_epi32(w2, 10)))); \
  } while (0)
#define ROUNDS8(t) \
  ROUND(a, b, c, d, e, f, g, h, (t)); ROUND(h, a, b, c, d, e, f, g, (t) + 1); \
  ROUND(g, h, a, b, c, d, e, f, (t) + 2); ROUND(f, g, h, a, b, c, d, e, (t) + 3); \
  ROUND(e, f, g, h, a, b, c, d, (t) + 4); ROUND(d, e, f, g, h, a, b, c, (t) + 5); \
  ROUND(c, d, e, f, g, h, a, b, (t) + 6); ROUND(b, c, d, e, f, g, h, a, (t) + 7)
#define SCHEDULE8(t) \
  SCHEDULE(t); SCHEDULE((t) + 1); SCHEDULE((t) + 2); SCHEDULE((t) + 3); \
  SCHEDULE((t) + 4); SCHEDULE((t) + 5); SCHEDULE((t) + 6); SCHEDULE((t) + 7)

/* Rows (eight words of one lane each) become columns (one word of eight lanes each). */
#define TRANSPOSE8(r) do { \
    __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]); \
    __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]); \
    __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]); \
    __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]); \
    __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2); \
    __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3); \
    __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6); \
    __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7); \
    r[0] = _mm256_permute2x128_si256(u0, u4, 0x20); r[1] = _mm256_permute2x128_si256(u1, u5, 0x20); \
    r[2] = _mm256_permute2x128_si256(u2, u6, 0x20); r[3] = _mm256_permute2x128_si256(u3, u7, 0x20); \
    r[4] = _mm256_permute2x128_si256(u0, u4, 0x31); r[5] = _mm256_permute2x128_si256(u1, u5, 0x31); \
    r[6] = _mm256_permute2x128_si256(u2, u6, 0x31); r[7] = _mm256_permute2x128_si256(u3, u7, 0x31); \
  } while (0)

/*
 * state: LANES x WORDS, lane-major. data[l] holds blocks[l] blocks; a lane past its last block hashes a zero
 * block whose result is dropped, so lanes of different lengths share one call.
 */
#define COMPRESS_BODY \
  const __m256i byteswap = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, \
                                            3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12); \
  __m256i s[WORDS]; \
  size_t most = 0; \
  for (int l = 0; l < LANES; l++) { \
    s[l] = _mm256_loadu_si256((const __m256i *)(state + l * WORDS)); \
    if (blocks[l] > most) most = blocks[l]; \
  } \
  TRANSPOSE8(s); \
  const __m256i counts = _mm256_setr_epi32((int)blocks[0], (int)blocks[1], (int)blocks[2], (int)blocks[3], \
                                           (int)blocks[4], (int)blocks[5], (int)blocks[6], (int)blocks[7]); \
  for (size_t n = 0; n < most; n++) { \
    __m256i w[16]; \
    for (int l = 0; l < LANES; l++) { \
      const uint8_t *p = n < blocks[l] ? data[l] + n * BLOCK : ZERO_BLOCK; \
      w[l] = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)p), byteswap); \
      w[8 + l] = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)(p + 32)), byteswap); \
    } \
    TRANSPOSE8(w); \
    TRANSPOSE8((w + 8)); \
    __m256i a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7]; \
    ROUNDS8(0); ROUNDS8(8); \
    SCHEDULE8(16); ROUNDS8(16); SCHEDULE8(24); ROUNDS8(24); SCHEDULE8(32); ROUNDS8(32); \
    SCHEDULE8(40); ROUNDS8(40); SCHEDULE8(48); ROUNDS8(48); SCHEDULE8(56); ROUNDS8(56); \
    const __m256i live = _mm256_cmpgt_epi32(counts, _mm256_set1_epi32((int)n)); \
    s[0] = _mm256_blendv_epi8(s[0], ADD(s[0], a), live); s[1] = _mm256_blendv_epi8(s[1], ADD(s[1], b), live); \
    s[2] = _mm256_blendv_epi8(s[2], ADD(s[2], c), live); s[3] = _mm256_blendv_epi8(s[3], ADD(s[3], d), live); \
    s[4] = _mm256_blendv_epi8(s[4], ADD(s[4], e), live); s[5] = _mm256_blendv_epi8(s[5], ADD(s[5], f), live); \
    s[6] = _mm256_blendv_epi8(s[6], ADD(s[6], g), live); s[7] = _mm256_blendv_epi8(s[7], ADD(s[7], h), live); \
  } \
  TRANSPOSE8(s); \
  for (int l = 0; l < LANES; l++) _mm256_storeu_si256((__m256i *)(state + l * WORDS), s[l]);

#define ROTR(x, n) _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - (n)))
#define XOR3(x, y, z) _mm256_xor_si256(_mm256_xor_si256(x, y), z)
#define CH(x, y, z) _mm256_xor_si256(_mm256_and_si256(x, _mm256_xor_si256(y, z)), z)
#define MAJ(x, y, z) _mm256_or_si256(_mm256_and_si256(x, y), _mm256_and_si256(z, _mm256_or_si256(x, y)))
__attribute__((target("avx2")))
static void compress_avx2(uint32_t *state, const uint8_t *const data[LANES], const size_t blocks[LANES]) {
  COMPRESS_BODY
}
#undef ROTR
#undef XOR3
#undef CH
#undef MAJ

#define ROTR(x, n) _mm256_ror_epi32(x, n)
#define XOR3(x, y, z) _mm256_ternarylogic_epi32(x, y, z, 0x96)
#define CH(x, y, z) _mm256_ternarylogic_epi32(x, y, z, 0xca)
#define MAJ(x, y, z) _mm256_ternarylogic_epi32(x, y, z, 0xe8)
__attribute__((target("avx2,avx512f,avx512vl")))
static void compress_avx512vl(uint32_t *state, const uint8_t *const data[LANES], const size_t blocks[LANES]) {
  COMPRESS_BODY
}

typedef void (*compress_fn)(uint32_t *, const uint8_t *const[LANES], const size_t[LANES]);

/* The kernel named `name` ("avx512vl", "avx2"; NULL for the best) when this CPU runs it, else NULL. */
static compress_fn kernel(const char *name) {
  __builtin_cpu_init();
  int avx512vl = __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512f");
  int avx2 = __builtin_cpu_supports("avx2");
  if ((name == NULL || strcmp(name, "avx512vl") == 0) && avx512vl) return compress_avx512vl;
  if ((name == NULL || strcmp(name, "avx2") == 0) && avx2) return compress_avx2;
  return NULL;
}

/* OpenSSL hashes one message faster than the lanes hash eight when the CPU has the SHA extensions. */
static int has_sha_extensions(void) {
  unsigned eax, ebx, ecx, edx;
  return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & (1u << 29));
}
#else
#define HAVE_LANES 0
#endif

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/** features(): the kernel the lanes run on here ("avx512vl", "avx2"), "sha-ni" where OpenSSL is faster, or "". */
static napi_value features(napi_env env, napi_callback_info info) {
  (void)info;
  const char *name = "";
#if HAVE_LANES
  compress_fn best = kernel(NULL);
  if (has_sha_extensions()) name = "sha-ni";
  else if (best == compress_avx512vl) name = "avx512vl";
  else if (best == compress_avx2) name = "avx2";
#endif
  napi_value result;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result);
  return result;
}

/**
 * compress(states: Uint32Array(64), chunks: (Uint8Array | undefined)[], kernel?: string): runs every whole block of
 * chunks[l] through lane l's state (eight words at states[8 l]) with the best kernel, or the one named (tests run
 * each). Each chunk's length must be a multiple of 64.
 */
static napi_value compress(napi_env env, napi_callback_info info) {
#if HAVE_LANES
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return throw_error(env, "sha256 lanes: compress(states, chunks, kernel?)");
  char name[16] = "";
  napi_valuetype kind;
  if (argc > 2 && napi_typeof(env, argv[2], &kind) == napi_ok && kind == napi_string) {
    napi_get_value_string_utf8(env, argv[2], name, sizeof name, NULL);
  }
  compress_fn fn = kernel(name[0] == '\0' ? NULL : name);
  if (fn == NULL) return throw_error(env, "sha256 lanes: this CPU cannot run that kernel (AVX2 or AVX-512VL needed)");
  napi_typedarray_type type;
  size_t length;
  void *states;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &states, NULL, NULL) != napi_ok || type != napi_uint32_array || length != LANES * WORDS) {
    return throw_error(env, "sha256 lanes: states must be a Uint32Array of 64 words");
  }
  uint32_t count;
  if (napi_get_array_length(env, argv[1], &count) != napi_ok || count > LANES) return throw_error(env, "sha256 lanes: chunks must be an array of at most 8");
  const uint8_t *data[LANES];
  size_t blocks[LANES];
  for (uint32_t l = 0; l < LANES; l++) {
    data[l] = NULL;
    blocks[l] = 0;
    if (l >= count) continue;
    napi_value chunk;
    napi_get_element(env, argv[1], l, &chunk);
    napi_typeof(env, chunk, &kind);
    if (kind == napi_undefined || kind == napi_null) continue;
    void *bytes;
    if (napi_get_typedarray_info(env, chunk, &type, &length, &bytes, NULL, NULL) != napi_ok || type != napi_uint8_array || length % BLOCK != 0) {
      return throw_error(env, "sha256 lanes: each chunk must be a Uint8Array of whole 64-byte blocks");
    }
    data[l] = bytes;
    blocks[l] = length / BLOCK;
  }
  fn((uint32_t *)states, data, blocks);
  return NULL;
#else
  (void)info;
  return throw_error(env, "sha256 lanes: not built for this CPU");
#endif
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
    { "features", NULL, features, NULL, NULL, NULL, napi_default, NULL },
    { "compress", NULL, compress, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, 2, methods);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
