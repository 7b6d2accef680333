/* A small PTX lexer that finds `.entry NAME (.param ..., ...)` declarations and the size of each parameter. */
#include "ptx_entry.h"

#include <stdio.h>
#include <string.h>

typedef enum token_kind { TOKEN_END, TOKEN_DIRECTIVE, TOKEN_IDENT, TOKEN_NUMBER, TOKEN_PUNCT } token_kind_t;

typedef struct token {
  token_kind_t kind;
  const char* text;
  size_t length;
} token_t;

static int is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c == '%';
}
static int is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

/* Skips blanks, comments and string literals; an unterminated comment or string
 * runs to the end of the text, as it would for the driver's parser. */
static void skip_space(kiln_ptx_cursor_t* c) {
  while (c->p < c->end) {
    const char ch = *c->p;
    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v') {
      ++c->p;
    } else if (ch == '/' && c->p + 1 < c->end && c->p[1] == '/') {
      while (c->p < c->end && *c->p != '\n') ++c->p;
    } else if (ch == '/' && c->p + 1 < c->end && c->p[1] == '*') {
      c->p += 2;
      while (c->p + 1 < c->end && !(c->p[0] == '*' && c->p[1] == '/')) ++c->p;
      c->p = c->p + 1 < c->end ? c->p + 2 : c->end;
    } else if (ch == '"') {
      ++c->p;
      while (c->p < c->end && *c->p != '"' && *c->p != '\n') ++c->p;
      if (c->p < c->end) ++c->p;
    } else {
      return;
    }
  }
}

static token_t next_token(kiln_ptx_cursor_t* c) {
  token_t t = {TOKEN_END, c->end, 0};
  skip_space(c);
  if (c->p >= c->end || *c->p == 0) {
    c->p = c->end;
    return t;
  }
  const char* start = c->p;
  if (*c->p == '.' && c->p + 1 < c->end && is_ident_start(c->p[1])) {
    ++c->p;
    while (c->p < c->end && is_ident_char(*c->p)) ++c->p;
    t.kind = TOKEN_DIRECTIVE;
  } else if (is_ident_start(*c->p)) {
    while (c->p < c->end && is_ident_char(*c->p)) ++c->p;
    t.kind = TOKEN_IDENT;
  } else if (*c->p >= '0' && *c->p <= '9') {
    while (c->p < c->end && (is_ident_char(*c->p) || *c->p == '.')) ++c->p;
    t.kind = TOKEN_NUMBER;
  } else {
    ++c->p;
    t.kind = TOKEN_PUNCT;
  }
  t.text = start;
  t.length = (size_t)(c->p - start);
  return t;
}

static int token_is(const token_t* t, const char* text) {
  return t->length == strlen(text) && memcmp(t->text, text, t->length) == 0;
}

/* A decimal number token below 2^20, or -1. */
static long small_number(const token_t* t) {
  if (t->kind != TOKEN_NUMBER || t->length > 7) return -1;
  long v = 0;
  for (size_t i = 0; i < t->length; ++i) {
    if (t->text[i] < '0' || t->text[i] > '9') return -1;
    v = v * 10 + (t->text[i] - '0');
  }
  return v < (1L << 20) ? v : -1;
}

/* Bytes of a scalar type directive (.u32, .f64, .b8, ...), 0 for anything else. */
static uint32_t type_size(const token_t* t, uint8_t* floating) {
  if (t->kind != TOKEN_DIRECTIVE || t->length < 3) return 0;
  const char k = t->text[1];
  if (k != 'u' && k != 's' && k != 'b' && k != 'f') return 0;
  const char* bits = t->text + 2;
  const size_t n = t->length - 2;
  uint32_t size = 0;
  if (n == 1 && bits[0] == '8') size = 1;
  else if (n == 2 && bits[0] == '1' && bits[1] == '6') size = 2;
  else if (n == 2 && bits[0] == '3' && bits[1] == '2') size = 4;
  else if (n == 2 && bits[0] == '6' && bits[1] == '4') size = 8;
  if (k == 'f' && size == 1) return 0;
  *floating = k == 'f';
  return size;
}

void kiln_ptx_begin(kiln_ptx_cursor_t* cursor, const char* ptx, size_t size) {
  cursor->p = ptx;
  cursor->end = ptx + size;
}

#define MALFORMED(...) (snprintf(err, err_size, __VA_ARGS__), -1)

/* Parses `.param <qualifiers> <type> <qualifiers> name [N]` after the `.param`. */
static int parse_param(kiln_ptx_cursor_t* c, kiln_ptx_param_t* out, char* err, size_t err_size) {
  memset(out, 0, sizeof(*out));
  uint32_t element = 0;
  for (;;) {
    token_t t = next_token(c);
    if (t.kind == TOKEN_IDENT) break; /* the parameter's name */
    if (t.kind != TOKEN_DIRECTIVE) return MALFORMED("unexpected '%.*s' in a .param declaration", (int)(t.length > 32 ? 32 : t.length), t.text);
    uint8_t floating = 0;
    const uint32_t size = type_size(&t, &floating);
    if (size) {
      if (element) return MALFORMED("a .param declaration with two types");
      element = size;
      out->floating = floating;
    } else if (token_is(&t, ".ptr")) {
      out->pointer = 1;
    } else if (token_is(&t, ".align")) {
      token_t n = next_token(c);
      if (small_number(&n) <= 0) return MALFORMED(".align without a positive alignment");
    } else if (!token_is(&t, ".global") && !token_is(&t, ".const") && !token_is(&t, ".local") &&
               !token_is(&t, ".shared")) {
      return MALFORMED("unsupported qualifier '%.*s' in a .param declaration", (int)(t.length > 32 ? 32 : t.length), t.text);
    }
  }
  if (!element) return MALFORMED("a .param declaration without a type");
  uint32_t count = 1;
  kiln_ptx_cursor_t peek = *c;
  token_t t = next_token(&peek);
  if (t.kind == TOKEN_PUNCT && t.text[0] == '[') {
    token_t n = next_token(&peek);
    token_t close = next_token(&peek);
    const long v = small_number(&n);
    if (v <= 0 || close.kind != TOKEN_PUNCT || close.text[0] != ']')
      return MALFORMED("a .param array without a positive length");
    count = (uint32_t)v;
    *c = peek;
  }
  out->size = element * count;
  return 0;
}

int kiln_ptx_next_entry(kiln_ptx_cursor_t* c, const char** name, size_t* name_length,
                        kiln_ptx_param_t* params, uint32_t max_params, uint32_t* param_count,
                        char* err, size_t err_size) {
  *param_count = 0;
  for (;;) {
    token_t t = next_token(c);
    if (t.kind == TOKEN_END) return 0;
    if (t.kind != TOKEN_DIRECTIVE || !token_is(&t, ".entry")) continue;
    token_t id = next_token(c);
    if (id.kind != TOKEN_IDENT) return MALFORMED(".entry without a name");
    *name = id.text;
    *name_length = id.length;
    kiln_ptx_cursor_t peek = *c;
    token_t open = next_token(&peek);
    if (open.kind != TOKEN_PUNCT || open.text[0] != '(') return 1; /* no parameters */
    *c = peek;
    peek = *c;
    token_t first = next_token(&peek);
    if (first.kind == TOKEN_PUNCT && first.text[0] == ')') {
      *c = peek;
      return 1;
    }
    for (;;) {
      token_t decl = next_token(c);
      if (!token_is(&decl, ".param")) return MALFORMED("entry '%.*s': expected .param", (int)(id.length > 64 ? 64 : id.length), id.text);
      if (*param_count >= max_params)
        return MALFORMED("entry '%.*s' has more than %u parameters", (int)(id.length > 64 ? 64 : id.length), id.text, max_params);
      if (parse_param(c, &params[*param_count], err, err_size) != 0) return -1;
      ++*param_count;
      token_t sep = next_token(c);
      if (sep.kind == TOKEN_PUNCT && sep.text[0] == ')') return 1;
      if (sep.kind != TOKEN_PUNCT || sep.text[0] != ',')
        return MALFORMED("entry '%.*s': expected ',' or ')' after a parameter", (int)(id.length > 64 ? 64 : id.length), id.text);
    }
  }
}
