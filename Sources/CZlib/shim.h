#include <zlib.h>

// inflateInit2 and deflateInit2 are macros; Swift sees only the underscored functions.
static inline int czlib_inflate_init_gzip(z_streamp stream) {
    // 15 + 32: a zlib or gzip header, detected automatically.
    return inflateInit2(stream, 15 + 32);
}

static inline int czlib_deflate_init_gzip(z_streamp stream, int level) {
    // 15 + 16: write a gzip header and trailer.
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
