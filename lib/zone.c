/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zone.c -- the second source of answers: zone files loaded into the
 * context (mxc_ctx_add_zone_file/_text), parsed by Knot's libzscanner.
 *
 * The resolver (dns.c) asks mxci_zone_lookup() first.  A name at or below the
 * origin of a loaded zone (the longest one wins) is answered from the zone
 * as an authoritative server followed by a resolver would answer it: the
 * records (NOERROR), NODATA or NXDOMAIN with the SOA in the authority
 * section, CNAME chains followed (into other loaded zones, or out to DNS),
 * wildcards (RFC 4592).  A name at or below a zone cut of the file (NS
 * records below the apex) is not ours: it is resolved from DNS as usual.
 *
 * The answer is built as a DNS response in wire format and handed to
 * mxci_dns_parse(), so that the checks get exactly the shape of an answer
 * from the network; it is marked from_zone and delivered at once, like a
 * cache hit.
 */
#include "mxc_private.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include <libzscanner/scanner.h>

#define ZONE_BUCKETS 256

struct zrec {
  uint16_t type;
  uint32_t ttl;
  uint16_t rdlen;
  unsigned char used; /* answered a lookup (mxci_zone_walk) */
  unsigned char *rdata;
};

struct znode {
  struct znode *hnext;
  unsigned char *owner; /* wire, lowercase */
  size_t olen;
  uint32_t hash;
  struct zrec *recs;
  size_t n, cap;
};

struct mxci_zone {
  struct mxci_zone *next;
  char *origin;            /* presentation, lowercase, no final dot */
  unsigned char owire[256];
  size_t olen;
  char *source;            /* file name, or "(text)" */
  struct znode **b;
  size_t nb, nnodes, nrecs;
  unsigned long answers;   /* lookups answered from it */
};

/* A CNAME chain that left the files: the rest is asked from DNS. */
struct zpending {
  struct zpending *next, *prev;
  struct mxci_zones *zs;
  struct mxci_answer chain; /* the CNAME records from the files */
  mxci_dns_cb cb;
  void *arg;
};

struct zmemo;

struct mxci_zones {
  struct mxci_zone *head;
  size_t n;
  struct zpending *pending;
  struct zmemo *memo; /* answers handed out by mxci_zone_peek() */
  size_t nmemo;
};

/* ---- names ---------------------------------------------------------------- */

static void wire_lower(unsigned char *w, size_t len)
{
  size_t i = 0;
  while (i < len && w[i]) {
    size_t l = w[i], j;
    for (j = 1; j <= l && i + j < len; j++)
      w[i + j] = (unsigned char)tolower(w[i + j]);
    i += l + 1;
  }
}

static size_t wire_len(const unsigned char *w)
{
  size_t i = 0;
  while (w[i])
    i += (size_t)w[i] + 1;
  return i + 1;
}

/* Is a (wire) at or below b (wire)?  Both lowercase. */
static int wire_under(const unsigned char *a, size_t alen,
                      const unsigned char *b, size_t blen)
{
  size_t i = 0;
  if (alen < blen)
    return 0;
  while (alen - i > blen && a[i])
    i += (size_t)a[i] + 1;
  return alen - i == blen && memcmp(a + i, b, blen) == 0;
}

static uint32_t hash_wire(const unsigned char *w, size_t len)
{
  uint32_t h = 2166136261u;
  size_t i;
  for (i = 0; i < len; i++) {
    h ^= w[i];
    h *= 16777619u;
  }
  return h;
}

/* ---- the store -------------------------------------------------------------- */

static struct znode *node_find(const struct mxci_zone *z,
                               const unsigned char *w, size_t len)
{
  uint32_t h = hash_wire(w, len);
  struct znode *n;
  for (n = z->b[h % z->nb]; n; n = n->hnext)
    if (n->hash == h && n->olen == len && memcmp(n->owner, w, len) == 0)
      return n;
  return NULL;
}

static void zone_grow(struct mxci_zone *z)
{
  size_t nb = z->nb * 2, i;
  struct znode **b = mxci_calloc(nb, sizeof(*b));
  if (b == NULL)
    return; /* LCOV_EXCL_LINE: OutOfMemory -- keep the old table */
  for (i = 0; i < z->nb; i++) {
    struct znode *n = z->b[i], *next;
    for (; n; n = next) {
      next = n->hnext;
      n->hnext = b[n->hash % nb];
      b[n->hash % nb] = n;
    }
  }
  mxci_free(z->b);
  z->b = b;
  z->nb = nb;
}

static struct znode *node_get(struct mxci_zone *z, const unsigned char *w,
                              size_t len)
{
  struct znode *n = node_find(z, w, len);
  if (n)
    return n;
  n = mxci_calloc(1, sizeof(*n));
  if (n == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  n->owner = mxci_malloc(len);
  if (n->owner == NULL) {
    mxci_free(n); /* LCOV_EXCL_LINE: OutOfMemory */
    return NULL;  /* LCOV_EXCL_LINE: OutOfMemory */
  }
  memcpy(n->owner, w, len);
  n->olen = len;
  n->hash = hash_wire(w, len);
  n->hnext = z->b[n->hash % z->nb];
  z->b[n->hash % z->nb] = n;
  if (++z->nnodes > z->nb * 2)
    zone_grow(z);
  return n;
}

static void zone_free(struct mxci_zone *z)
{
  size_t i, j;
  if (z == NULL)
    return;
  for (i = 0; z->b && i < z->nb; i++) {
    struct znode *n = z->b[i], *next;
    for (; n; n = next) {
      next = n->hnext;
      for (j = 0; j < n->n; j++)
        mxci_free(n->recs[j].rdata);
      mxci_free(n->recs);
      mxci_free(n->owner);
      mxci_free(n);
    }
  }
  mxci_free(z->b);
  mxci_free(z->origin);
  mxci_free(z->source);
  mxci_free(z);
}

static void mxci_zones_memo_free(struct mxci_zones *zs);

void mxci_zones_free(mxc_ctx_t *ctx)
{
  struct mxci_zones *zs = ctx->zones;
  if (zs == NULL)
    return;
  while (zs->head) {
    struct mxci_zone *z = zs->head;
    zs->head = z->next;
    zone_free(z);
  }
  mxci_zones_memo_free(zs);
  while (zs->pending) {
    struct zpending *p = zs->pending;
    zs->pending = p->next;
    mxci_answer_clear(&p->chain);
    mxci_free(p);
  }
  mxci_free(zs);
  ctx->zones = NULL;
}

/* ---- loading ---------------------------------------------------------------- */

struct loader {
  mxc_ctx_t *ctx;
  struct mxci_zone *z;
  const char *where; /* file name for messages */
  int have_origin;
  mxc_status_t st;
};

/* The end of the uncompressed wire name at p (n octets left), or NULL. */
static const unsigned char *wire_name_end(const unsigned char *p, size_t n)
{
  size_t i = 0;
  while (i < n) {
    unsigned c = p[i];
    if (c == 0)
      return p + i + 1;
    if (c > 63)
      return NULL;
    i += c + 1;
  }
  return NULL;
}

/* SOA RDATA (RFC 1035 3.3.13): MNAME, RNAME, then five 32-bit numbers.
 * A generic "\# N ..." form is not checked by the parser: checked here,
 * so that the negative TTL (the MINIMUM field) is always there to read. */
static int soa_rdata_ok(const unsigned char *d, size_t n)
{
  const unsigned char *e = d + n, *p = wire_name_end(d, n);
  if (p == NULL || (p = wire_name_end(p, (size_t)(e - p))) == NULL)
    return 0;
  return e - p == 20;
}

static mxc_status_t load_fail(struct loader *L, mxc_status_t st,
                              unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static mxc_status_t load_fail(struct loader *L, mxc_status_t st,
                              unsigned long line, const char *fmt, ...)
{
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (line)
    snprintf(L->ctx->errbuf, sizeof(L->ctx->errbuf), "%s:%lu: %s", L->where,
             line, msg);
  else
    snprintf(L->ctx->errbuf, sizeof(L->ctx->errbuf), "%s: %s", L->where, msg);
  L->st = st;
  return st;
}

/* Mark every name between owner (exclusive) and the origin (inclusive) as
 * existing: empty non-terminals answer NODATA, not NXDOMAIN. */
static int add_ents(struct mxci_zone *z, const unsigned char *w, size_t len)
{
  while (len > z->olen && w[0]) {
    size_t l = (size_t)w[0] + 1;
    w += l;
    len -= l;
    if (node_get(z, w, len) == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return 0;
}

static int add_record(struct loader *L, zs_scanner_t *s)
{
  struct mxci_zone *z = L->z;
  unsigned char owner[256];
  size_t olen = s->r_owner_length;
  unsigned long line = (unsigned long)s->line_counter;
  struct znode *n;
  struct zrec *r;

  if (olen == 0 || olen > sizeof(owner))
    return load_fail(L, MXC_EINVAL, line, "bad owner name");
  memcpy(owner, s->r_owner, olen);
  wire_lower(owner, olen);
  if (s->r_class != 1)
    return load_fail(L, MXC_EINVAL, line, "class %u is not IN",
                     (unsigned)s->r_class);
  if (!L->have_origin) {
    /* No origin given: the zone is the owner of its first record, which
     * must be the SOA. */
    char text[MXCI_MAX_NAME];
    if (s->r_type != MXCI_T_SOA)
      return load_fail(L, MXC_EINVAL, line,
                       "the first record is not the SOA (no origin given)");
    if (olen == 1)
      return load_fail(L, MXC_EINVAL, line,
                       "a zone for the root (use $ORIGIN)");
    memcpy(z->owire, owner, olen);
    z->olen = olen;
    mxci_wire_text(owner, MXCI_WIRE_MAX, text, sizeof(text));
    if ((z->origin = mxci_strdup(text)) == NULL)
      return load_fail(L, MXC_ENOMEM, 0, "out of memory"); /* LCOV_EXCL_LINE */
    L->have_origin = 1;
  }
  if (!wire_under(owner, olen, z->owire, z->olen))
    return load_fail(L, MXC_EINVAL, line, "record outside the zone %s",
                     z->origin);
  if (s->r_type == MXCI_T_SOA && olen != z->olen)
    return load_fail(L, MXC_EINVAL, line, "SOA below the apex");
  if (z->nrecs >= MXC_ZONE_MAX_RECORDS)
    return load_fail(L, MXC_ELIMIT, line, "more than %u records",
                     (unsigned)MXC_ZONE_MAX_RECORDS);
  if (s->r_data_length > 65535)
    return load_fail(L, MXC_EINVAL, line, "record data too long");
  if (s->r_type == MXCI_T_SOA && !soa_rdata_ok(s->r_data, s->r_data_length))
    return load_fail(L, MXC_EINVAL, line,
                     "SOA data is not two names and five numbers "
                     "(RFC 1035 section 3.3.13)");
  n = node_get(z, owner, olen);
  if (n == NULL || add_ents(z, owner, olen) < 0)
    return load_fail(L, MXC_ENOMEM, 0, "out of memory"); /* LCOV_EXCL_LINE */
  if (n->n >= MXC_ZONE_MAX_PER_NAME)
    return load_fail(L, MXC_ELIMIT, line, "more than %u records at one name",
                     (unsigned)MXC_ZONE_MAX_PER_NAME);
  if (n->n == n->cap) {
    size_t cap = n->cap ? n->cap * 2 : 4;
    struct zrec *v = mxci_realloc(n->recs, cap * sizeof(*v));
    if (v == NULL)
      return load_fail(L, MXC_ENOMEM, 0, "out of memory"); /* LCOV_EXCL_LINE */
    n->recs = v;
    n->cap = cap;
  }
  r = &n->recs[n->n];
  r->type = s->r_type;
  r->ttl = s->r_ttl;
  r->rdlen = (uint16_t)s->r_data_length;
  r->used = 0;
  r->rdata = mxci_malloc(r->rdlen ? r->rdlen : 1);
  if (r->rdata == NULL)
    return load_fail(L, MXC_ENOMEM, 0, "out of memory"); /* LCOV_EXCL_LINE */
  memcpy(r->rdata, s->r_data, r->rdlen);
  /* Names in RDATA are compared case-insensitively later; keep them as
   * written (the parser lowercases nothing either). */
  n->n++;
  z->nrecs++;
  return 0;
}

static const struct zrec *node_type(const struct znode *n, uint16_t type,
                                    size_t *count)
{
  size_t i, c = 0;
  const struct zrec *first = NULL;
  for (i = 0; n && i < n->n; i++)
    if (n->recs[i].type == type) {
      if (first == NULL)
        first = &n->recs[i];
      c++;
    }
  if (count)
    *count = c;
  return first;
}

static mxc_status_t zone_load(mxc_ctx_t *ctx, const char *where,
                              const char *origin, const char *text,
                              size_t len)
{
  struct loader L;
  struct mxci_zone *z;
  zs_scanner_t *s;
  char org[MXCI_MAX_NAME + 2];

  memset(&L, 0, sizeof(L));
  L.ctx = ctx;
  L.where = where;
  L.st = MXC_OK;
  if (len > MXC_ZONE_MAX_BYTES)
    return load_fail(&L, MXC_ELIMIT, 0, "zone text over %u bytes",
                     (unsigned)MXC_ZONE_MAX_BYTES);
  if (origin && (!mxci_name_ok(origin, 0) || strcmp(origin, ".") == 0))
    return load_fail(&L, MXC_EINVAL, 0, "bad origin \"%.100s\"", origin);
  if (ctx->zones == NULL) {
    ctx->zones = mxci_calloc(1, sizeof(*ctx->zones));
    if (ctx->zones == NULL)
      return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (ctx->zones->n >= MXC_ZONE_MAX_ZONES)
    return load_fail(&L, MXC_ELIMIT, 0, "more than %u zones",
                     (unsigned)MXC_ZONE_MAX_ZONES);
  z = mxci_calloc(1, sizeof(*z));
  s = mxci_calloc(1, sizeof(*s));
  if (z == NULL || s == NULL ||
      (z->source = mxci_strdup(where)) == NULL ||
      (z->b = mxci_calloc(ZONE_BUCKETS, sizeof(*z->b))) == NULL) {
    zone_free(z);      /* LCOV_EXCL_LINE: OutOfMemory */
    mxci_free(s);      /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  z->nb = ZONE_BUCKETS;
  L.z = z;
  if (origin) {
    size_t ol = strlen(origin);
    int wl;
    snprintf(org, sizeof(org), "%s%s", origin,
             ol && origin[ol - 1] == '.' ? "" : ".");
    wl = mxci_dns_encode_name(origin, z->owire, sizeof(z->owire));
    if (wl <= 1) {
      load_fail(&L, MXC_EINVAL, 0, "bad origin \"%.100s\"", origin);
      goto out;
    }
    z->olen = (size_t)wl;
    wire_lower(z->owire, z->olen);
    {
      char t[MXCI_MAX_NAME];
      mxci_wire_text(z->owire, MXCI_WIRE_MAX, t, sizeof(t));
      if ((z->origin = mxci_strdup(t)) == NULL) {
        L.st = MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
        goto out;          /* LCOV_EXCL_LINE: OutOfMemory */
      }
    }
    L.have_origin = 1;
  } else {
    snprintf(org, sizeof(org), ".");
  }
  if (zs_init(s, org, 1, 3600) != 0 ||
      zs_set_input_string(s, text, len) != 0) {
    load_fail(&L, MXC_EINVAL, 0, "%s", zs_strerror(s->error.code));
    zs_deinit(s);
    goto out;
  }
  for (;;) {
    if (zs_parse_record(s) != 0) {
      load_fail(&L, MXC_EINVAL, (unsigned long)s->line_counter, "%s",
                zs_strerror(s->error.code));
      break;
    }
    if (s->state == ZS_STATE_DATA) {
      if (add_record(&L, s) != MXC_OK)
        break;
    } else if (s->state == ZS_STATE_ERROR) {
      load_fail(&L, MXC_EINVAL, (unsigned long)s->line_counter, "%s",
                zs_strerror(s->error.code));
      break;
    } else if (s->state == ZS_STATE_INCLUDE) {
      load_fail(&L, MXC_EINVAL, (unsigned long)s->line_counter,
                "$INCLUDE is not allowed");
      break;
    } else if (s->state == ZS_STATE_EOF || s->state == ZS_STATE_STOP) {
      break;
    }
  }
  zs_deinit(s);
  if (L.st == MXC_OK) {
    struct znode *apex = node_find(z, z->owire, z->olen);
    size_t nsoa = 0;
    node_type(apex, MXCI_T_SOA, &nsoa);
    if (!L.have_origin || nsoa != 1)
      load_fail(&L, MXC_EINVAL, 0, "the zone %s needs one SOA at its apex",
                z->origin ? z->origin : "");
  }
  if (L.st == MXC_OK) {
    struct mxci_zone *o;
    for (o = ctx->zones->head; o; o = o->next)
      if (o->olen == z->olen && memcmp(o->owire, z->owire, z->olen) == 0) {
        load_fail(&L, MXC_EINVAL, 0, "the zone %s is already loaded",
                  z->origin);
        break;
      }
  }
out:
  mxci_free(s);
  if (L.st != MXC_OK) {
    zone_free(z);
    return L.st;
  }
  z->next = ctx->zones->head;
  ctx->zones->head = z;
  ctx->zones->n++;
  return MXC_OK;
}

mxc_status_t mxc_ctx_add_zone_text(mxc_ctx_t *ctx, const char *origin,
                                   const char *text, size_t len)
{
  if (!mxci_ctx_valid(ctx) || text == NULL)
    return MXC_EINVAL;
  return zone_load(ctx, "(zone text)", origin, text, len);
}

mxc_status_t mxc_ctx_add_zone_file(mxc_ctx_t *ctx, const char *path,
                                   const char *origin)
{
  FILE *f;
  struct stat sb;
  char *text;
  size_t got;
  mxc_status_t st;

  if (!mxci_ctx_valid(ctx) || path == NULL)
    return MXC_EINVAL;
  f = fopen(path, "r");
  if (f == NULL) {
    snprintf(ctx->errbuf, sizeof(ctx->errbuf), "%s: %s", path,
             strerror(errno));
    return MXC_EINVAL;
  }
  if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
    snprintf(ctx->errbuf, sizeof(ctx->errbuf), "%s: not a regular file",
             path);
    fclose(f);
    return MXC_EINVAL;
  }
  if ((unsigned long long)sb.st_size > MXC_ZONE_MAX_BYTES) {
    snprintf(ctx->errbuf, sizeof(ctx->errbuf),
             "%s: zone file over %u bytes", path,
             (unsigned)MXC_ZONE_MAX_BYTES);
    fclose(f);
    return MXC_ELIMIT;
  }
  text = mxci_malloc((size_t)sb.st_size + 1);
  if (text == NULL) {
    fclose(f);         /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  /* At most one byte more than its size: a file that grows meanwhile is
   * still bounded. */
  got = fread(text, 1, (size_t)sb.st_size + 1, f);
  fclose(f);
  if (got > (size_t)sb.st_size) {
    mxci_free(text);
    snprintf(ctx->errbuf, sizeof(ctx->errbuf), "%s: changed while read",
             path);
    return MXC_EINVAL;
  }
  st = zone_load(ctx, path, origin, text, got);
  mxci_free(text);
  return st;
}

static const struct mxci_zone *zone_at(const mxc_ctx_t *ctx, size_t i)
{
  const struct mxci_zone *z;
  size_t n;
  if (!mxci_ctx_valid(ctx) || ctx->zones == NULL || i >= ctx->zones->n)
    return NULL;
  /* The list is newest first; number them in the order added. */
  n = ctx->zones->n - 1 - i;
  for (z = ctx->zones->head; z && n; z = z->next)
    n--;
  return z;
}

size_t mxc_ctx_zone_count(const mxc_ctx_t *ctx)
{
  return mxci_ctx_valid(ctx) && ctx->zones ? ctx->zones->n : 0;
}

const char *mxc_ctx_zone_origin(const mxc_ctx_t *ctx, size_t i)
{
  const struct mxci_zone *z = zone_at(ctx, i);
  return z ? z->origin : NULL;
}

const char *mxc_ctx_zone_source(const mxc_ctx_t *ctx, size_t i)
{
  const struct mxci_zone *z = zone_at(ctx, i);
  return z ? z->source : NULL;
}

unsigned long mxc_ctx_zone_answers(const mxc_ctx_t *ctx, size_t i)
{
  const struct mxci_zone *z = zone_at(ctx, i);
  return z ? z->answers : 0;
}

/* ---- answering -------------------------------------------------------------- */

/* The zone of the longest origin at or above w, or NULL. */
static struct mxci_zone *zone_for(const struct mxci_zones *zs,
                                  const unsigned char *w, size_t len)
{
  struct mxci_zone *z, *best = NULL;
  for (z = zs->head; z; z = z->next)
    if (wire_under(w, len, z->owire, z->olen) &&
        (best == NULL || z->olen > best->olen))
      best = z;
  return best;
}

/* Is w at or below a zone cut of z (NS records below the apex)? */
static int delegated(const struct mxci_zone *z, const unsigned char *w,
                     size_t len)
{
  while (len > z->olen && w[0]) {
    const struct znode *n = node_find(z, w, len);
    if (n && node_type(n, MXCI_T_NS, NULL))
      return 1;
    len -= (size_t)w[0] + 1;
    w += (size_t)w[0] + 1;
  }
  return 0;
}

/* The response being built. */
struct zresp {
  struct mxci_buf b;
  unsigned an, ns;
  int rcode;
};

static void put16(struct mxci_buf *b, unsigned v)
{
  char c[2];
  c[0] = (char)(v >> 8);
  c[1] = (char)v;
  mxci_buf_add(b, c, 2);
}

static void put_rr(struct zresp *r, const unsigned char *owner, size_t olen,
                   const struct zrec *rec, uint32_t ttl)
{
  mxci_buf_add(&r->b, (const char *)owner, olen);
  put16(&r->b, rec->type);
  put16(&r->b, 1);
  put16(&r->b, ttl >> 16);
  put16(&r->b, ttl & 0xffff);
  put16(&r->b, rec->rdlen);
  mxci_buf_add(&r->b, (const char *)rec->rdata, rec->rdlen);
}

/* Add the records of type at node n under the name owner; the count.
 * They are marked used: an answer depended on them (mxci_zone_walk). */
static unsigned put_set(struct zresp *r, struct znode *n,
                        const unsigned char *owner, size_t olen,
                        uint16_t type)
{
  size_t i;
  unsigned c = 0;
  for (i = 0; i < n->n && r->an < MXCI_MAX_RRS; i++)
    if (n->recs[i].type == type) {
      put_rr(r, owner, olen, &n->recs[i], n->recs[i].ttl);
      n->recs[i].used = 1;
      r->an++;
      c++;
    }
  return c;
}

static void put_soa(struct zresp *r, const struct mxci_zone *z)
{
  const struct znode *apex = node_find(z, z->owire, z->olen);
  const struct zrec *soa = node_type(apex, MXCI_T_SOA, NULL);
  uint32_t ttl, min;
  const unsigned char *p;
  size_t l;
  if (soa == NULL)
    return; /* LCOV_EXCL_LINE: every loaded zone has one */
  /* RFC 2308 section 3: the negative TTL is the smaller of the SOA's TTL
   * and its MINIMUM field (the last 4 octets of its RDATA). */
  p = soa->rdata + soa->rdlen - 4;
  min = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
        p[3];
  ttl = soa->ttl < min ? soa->ttl : min;
  l = z->olen;
  put_rr(r, z->owire, l, soa, ttl);
  r->ns++;
}

static void pending_done(void *arg, const struct mxci_answer *ans)
{
  struct zpending *p = arg;
  struct mxci_zones *zs = p->zs;
  struct mxci_answer m = *ans;
  struct mxci_rr *an = NULL;
  size_t n = p->chain.nan + ans->nan;

  /* The chain from the files, then what DNS said of its target (the
   * records are borrowed for the call). */
  if (ans->err == ARES_SUCCESS) {
    an = mxci_calloc(n ? n : 1, sizeof(*an));
    if (an) {
      memcpy(an, p->chain.an, p->chain.nan * sizeof(*an));
      memcpy(an + p->chain.nan, ans->an, ans->nan * sizeof(*an));
      m.an = an;
      m.nan = n;
    }
  }
  m.from_zone = 1;
  if (p->prev)
    p->prev->next = p->next;
  else
    zs->pending = p->next;
  if (p->next)
    p->next->prev = p->prev;
  p->cb(p->arg, &m);
  mxci_free(an);
  mxci_answer_clear(&p->chain);
  mxci_free(p);
}

/* Build the answer to name/type from the zones into *ans.  0: not ours;
 * 1: built; -1: out of memory.  *external: the CNAME chain left the files
 * for cur (wire, clen octets), to be asked from DNS. */
static int build(struct mxci_zones *zs, const char *name, uint16_t type,
                 struct mxci_answer *ans, unsigned char *cur, size_t *clenp,
                 int *externalp)
{
  struct mxci_zone *z, *first;
  unsigned char qw[256];
  size_t qlen, clen;
  int wl, hops;
  struct zresp r;
  int external = 0;

  *externalp = 0;
  if (zs == NULL || zs->head == NULL)
    return 0;
  wl = mxci_dns_encode_name(name, qw, sizeof(qw));
  if (wl <= 0)
    return 0;
  qlen = (size_t)wl;
  wire_lower(qw, qlen);
  first = zone_for(zs, qw, qlen);
  if (first == NULL || delegated(first, qw, qlen))
    return 0;

  memset(&r, 0, sizeof(r));
  mxci_buf_add(&r.b, "\0\0\x84\x00\0\x01\0\0\0\0\0\0", 12); /* QR AA */
  mxci_buf_add(&r.b, (const char *)qw, qlen);
  put16(&r.b, type);
  put16(&r.b, 1);
  memcpy(cur, qw, qlen);
  clen = qlen;
  z = first;
  for (hops = 0;; hops++) {
    struct znode *n = node_find(z, cur, clen);
    unsigned char src[256];
    size_t slen;
    const struct zrec *cn;
    z->answers++;
    if (n == NULL) {
      /* RFC 4592: the closest encloser, then its wildcard child. */
      const unsigned char *ce = cur;
      size_t celen = clen;
      while (celen > z->olen && node_find(z, ce, celen) == NULL) {
        celen -= (size_t)ce[0] + 1;
        ce += (size_t)ce[0] + 1;
      }
      if (celen + 2 <= sizeof(src)) {
        src[0] = 1;
        src[1] = '*';
        memcpy(src + 2, ce, celen);
        slen = celen + 2;
        n = node_find(z, src, slen);
      }
      if (n == NULL) {
        r.rcode = MXCI_RCODE_NXDOMAIN;
        put_soa(&r, z);
        break;
      }
    }
    if (put_set(&r, n, cur, clen, type))
      break;
    cn = node_type(n, MXCI_T_CNAME, NULL);
    if (cn == NULL || type == MXCI_T_CNAME) {
      put_soa(&r, z); /* NODATA */
      break;
    }
    put_set(&r, n, cur, clen, MXCI_T_CNAME);
    if (hops >= MXCI_MAX_CNAME_HOPS)
      break; /* the parser's follow() reports the loop or long chain */
    /* The target: an uncompressed name in the RDATA. */
    if (cn->rdlen == 0 || cn->rdlen > 255 ||
        wire_len(cn->rdata) != cn->rdlen)
      break;
    memcpy(cur, cn->rdata, cn->rdlen);
    clen = cn->rdlen;
    wire_lower(cur, clen);
    z = zone_for(zs, cur, clen);
    if (z == NULL || delegated(z, cur, clen)) {
      external = 1;
      break;
    }
  }
  {
    unsigned char *h = (unsigned char *)r.b.s;
    if (h) {
      h[3] = (unsigned char)(h[3] | r.rcode);
      h[6] = (unsigned char)(r.an >> 8);
      h[7] = (unsigned char)r.an;
      h[8] = (unsigned char)(r.ns >> 8);
      h[9] = (unsigned char)r.ns;
    }
  }
  if (r.b.oom) {
    mxci_free(r.b.s); /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;        /* LCOV_EXCL_LINE: OutOfMemory */
  }
  mxci_dns_parse((const unsigned char *)r.b.s, r.b.len, ans);
  mxci_free(r.b.s);
  if (ans->err == ARES_ENOMEM)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  ans->from_zone = 1;
  *clenp = clen;
  *externalp = external;
  return 1;
}

int mxci_zone_lookup(mxc_ctx_t *ctx, const char *name, uint16_t type,
                     mxci_dns_cb cb, void *arg, struct mxci_waiter *w,
                     mxc_status_t *st, mxci_resolve_fn resolve)
{
  struct mxci_zones *zs = ctx->zones;
  unsigned char cur[256];
  size_t clen = 0;
  int external = 0, b;
  struct mxci_answer ans;

  b = build(zs, name, type, &ans, cur, &clen, &external);
  if (b == 0)
    return 0;
  if (b < 0) {
    *st = MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
    return 1;         /* LCOV_EXCL_LINE: OutOfMemory */
  }
  *st = MXC_OK;
  if (external && ans.err == ARES_SUCCESS) {
    char target[MXCI_MAX_NAME];
    struct zpending *p = mxci_calloc(1, sizeof(*p));
    if (p == NULL) {
      mxci_answer_clear(&ans); /* LCOV_EXCL_LINE: OutOfMemory */
      *st = MXC_ENOMEM;        /* LCOV_EXCL_LINE: OutOfMemory */
      return 1;                /* LCOV_EXCL_LINE: OutOfMemory */
    }
    p->zs = zs;
    p->chain = ans;
    p->cb = cb;
    p->arg = arg;
    p->next = zs->pending;
    if (zs->pending)
      zs->pending->prev = p;
    zs->pending = p;
    mxci_wire_text(cur, MXCI_WIRE_MAX, target, sizeof(target));
    /* The caller's waiter follows the query: cancelling it unhooks this
     * one (p is then freed with the context). */
    *st = resolve(ctx, target, type, pending_done, p, w);
    if (*st != MXC_OK) {
      if (p->prev)
        p->prev->next = p->next;
      else
        zs->pending = p->next;
      if (p->next)
        p->next->prev = p->prev;
      mxci_answer_clear(&p->chain);
      mxci_free(p);
    }
    return 1;
  }
  cb(arg, &ans);
  mxci_answer_clear(&ans);
  return 1;
}

/* Answers built for mxci_zone_peek(), kept until the context goes (the
 * pointers handed out stay valid); at most MEMO_MAX. */
#define MEMO_MAX 4096

struct zmemo {
  struct zmemo *next;
  char *name;
  uint16_t type;
  struct mxci_answer ans;
};

int mxci_zone_peek(mxc_ctx_t *ctx, const char *name, uint16_t type,
                   const struct mxci_answer **out)
{
  struct mxci_zones *zs = ctx->zones;
  struct zmemo *m;
  unsigned char cur[256];
  size_t clen = 0;
  int external = 0, b;

  if (zs == NULL || zs->head == NULL)
    return 0;
  for (m = zs->memo; m; m = m->next)
    if (m->type == type && mxci_name_eq(m->name, name)) {
      *out = &m->ans;
      return 1;
    }
  if (zs->nmemo >= MEMO_MAX)
    return 0; /* a miss: the caller asks DNS */
  m = mxci_calloc(1, sizeof(*m));
  if (m == NULL)
    return 0; /* LCOV_EXCL_LINE: OutOfMemory */
  b = build(zs, name, type, &m->ans, cur, &clen, &external);
  if (b <= 0 || external || (m->name = mxci_strdup(name)) == NULL) {
    /* not ours, or a chain out to DNS: no answer here */
    if (b > 0)
      mxci_answer_clear(&m->ans);
    mxci_free(m);
    return 0;
  }
  m->type = type;
  m->next = zs->memo;
  zs->memo = m;
  zs->nmemo++;
  *out = &m->ans;
  return 1;
}

static void mxci_zones_memo_free(struct mxci_zones *zs)
{
  while (zs->memo) {
    struct zmemo *m = zs->memo;
    zs->memo = m->next;
    mxci_answer_clear(&m->ans);
    mxci_free(m->name);
    mxci_free(m);
  }
  zs->nmemo = 0;
}

/* ---- the records themselves (for the checks that read the files) --------- */

const unsigned char *mxci_zone_apex(const mxc_ctx_t *ctx, size_t i,
                                    size_t *olen)
{
  const struct mxci_zone *z = zone_at(ctx, i);
  if (z == NULL)
    return NULL;
  *olen = z->olen;
  return z->owire;
}

static uint16_t rrsig_covered(const struct zrec *r)
{
  return r->rdlen >= 2 ? (uint16_t)(r->rdata[0] << 8 | r->rdata[1]) : 0;
}

void mxci_zset_clear(struct mxci_zset *s)
{
  mxci_free((void *)s->rr);
  mxci_free((void *)s->sig);
  s->rr = s->sig = NULL;
  s->n = s->nsig = 0;
}

/* *s = the records of type at n and the RRSIGs covering them; -1 on OOM. */
static int set_fill(const struct znode *n, uint16_t type,
                    struct mxci_zset *s)
{
  size_t i, cnt = 0, nsig = 0;
  struct mxci_zrr *rr, *sig;
  memset(s, 0, sizeof(*s));
  s->owner = n->owner;
  s->olen = n->olen;
  s->type = type;
  for (i = 0; i < n->n; i++) {
    if (n->recs[i].type == type) {
      cnt++;
      s->used |= n->recs[i].used;
    } else if (n->recs[i].type == MXCI_T_RRSIG &&
               rrsig_covered(&n->recs[i]) == type) {
      nsig++;
    }
  }
  rr = mxci_calloc(cnt ? cnt : 1, sizeof(*rr));
  sig = mxci_calloc(nsig ? nsig : 1, sizeof(*sig));
  if (rr == NULL || sig == NULL) {
    mxci_free(rr);  /* LCOV_EXCL_LINE: OutOfMemory */
    mxci_free(sig); /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;      /* LCOV_EXCL_LINE: OutOfMemory */
  }
  for (i = 0; i < n->n; i++) {
    const struct zrec *r = &n->recs[i];
    struct mxci_zrr *d = NULL;
    if (r->type == type)
      d = &rr[s->n++];
    else if (r->type == MXCI_T_RRSIG && rrsig_covered(r) == type)
      d = &sig[s->nsig++];
    if (d) {
      d->rdata = r->rdata;
      d->rdlen = r->rdlen;
      d->ttl = r->ttl;
    }
  }
  s->rr = rr;
  s->sig = sig;
  return 0;
}

int mxci_zone_rrset(const mxc_ctx_t *ctx, size_t zi,
                    const unsigned char *owner, size_t olen, uint16_t type,
                    struct mxci_zset *out)
{
  const struct mxci_zone *z = zone_at(ctx, zi);
  unsigned char w[256];
  const struct znode *n;
  memset(out, 0, sizeof(*out));
  if (z == NULL || olen == 0 || olen > sizeof(w))
    return 0;
  memcpy(w, owner, olen);
  wire_lower(w, olen);
  if ((n = node_find(z, w, olen)) == NULL)
    return 0;
  return set_fill(n, type, out) < 0 ? -1 : 1;
}

/* RFC 4034 section 6.1: canonical order of (lowercase) wire names: label
 * by label from the right, each compared as an octet string. */
static int canon_cmp(const unsigned char *a, size_t alen,
                     const unsigned char *b, size_t blen)
{
  size_t la[128], lb[128], na = 0, nb = 0, i;
  for (i = 0; i < alen && a[i] && na < 128; i += (size_t)a[i] + 1)
    la[na++] = i;
  for (i = 0; i < blen && b[i] && nb < 128; i += (size_t)b[i] + 1)
    lb[nb++] = i;
  while (na && nb) {
    /* cppcheck-suppress uninitvar ; la[0..na) and lb[0..nb) are set */
    const unsigned char *x = a + la[--na], *y = b + lb[--nb];
    size_t m = x[0] < y[0] ? x[0] : y[0];
    int c = memcmp(x + 1, y + 1, m);
    if (c)
      return c;
    if (x[0] != y[0])
      return x[0] < y[0] ? -1 : 1;
  }
  return na ? 1 : nb ? -1 : 0;
}

struct wentry {
  const struct znode *n;
  uint16_t type;
};

static int wentry_cmp(const void *pa, const void *pb)
{
  const struct wentry *a = pa, *b = pb;
  int c = canon_cmp(a->n->owner, a->n->olen, b->n->owner, b->n->olen);
  if (c)
    return c;
  return a->type < b->type ? -1 : a->type > b->type;
}

int mxci_zone_walk(const mxc_ctx_t *ctx, size_t zi, mxci_zset_fn fn,
                   void *arg)
{
  const struct mxci_zone *z = zone_at(ctx, zi);
  struct wentry *v = NULL;
  size_t nv = 0, cap = 0, b, i, j;
  int rc = 0;

  if (z == NULL)
    return 0;
  for (b = 0; b < z->nb; b++) {
    const struct znode *n;
    for (n = z->b[b]; n; n = n->hnext) {
      int apex = n->olen == z->olen;
      size_t start = nv; /* this node's entries: the types seen */
      for (i = 0; i < n->n; i++) {
        const struct zrec *r = &n->recs[i];
        int want = r->used || (apex && (r->type == MXCI_T_SOA ||
                                        r->type == MXCI_T_DNSKEY));
        if (!want || r->type == MXCI_T_RRSIG)
          continue;
        for (j = start; j < nv; j++)
          if (v[j].type == r->type)
            break;
        if (j < nv)
          continue;
        if (nv == cap) {
          size_t nc = cap ? cap * 2 : 64;
          struct wentry *t = mxci_realloc(v, nc * sizeof(*v));
          if (t == NULL) {
            mxci_free(v); /* LCOV_EXCL_LINE: OutOfMemory */
            return -1;    /* LCOV_EXCL_LINE: OutOfMemory */
          }
          v = t;
          cap = nc;
        }
        v[nv].n = n;
        v[nv].type = r->type;
        nv++;
      }
    }
  }
  if (nv)
    qsort(v, nv, sizeof(*v), wentry_cmp);
  for (i = 0; i < nv && rc == 0; i++) {
    struct mxci_zset s;
    if (set_fill(v[i].n, v[i].type, &s) < 0) {
      rc = -1; /* LCOV_EXCL_LINE: OutOfMemory */
      break;   /* LCOV_EXCL_LINE: OutOfMemory */
    }
    rc = fn(arg, &s);
    mxci_zset_clear(&s);
  }
  mxci_free(v);
  return rc;
}
