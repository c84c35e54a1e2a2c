/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cares-fcrdns.c -- the "bare c-ares client" of fcrdns-bench.sh: the least
 * a program must do for FCrDNS with c-ares 1.18, as a reference for
 * libmxcheck's speed.
 *
 * PTR lookup, then A (IPv4) or AAAA (IPv6) of every PTR name (at most 10),
 * "any" semantics: pass when one forward answer holds the address.  At most
 * W checks in flight; ARES_FLAG_STAYOPEN, 4 MiB receive buffer,
 * ARES_OPT_SOCK_STATE_CB + epoll + ares_process_fd, a fixed 50 ms tick for
 * timeouts.  No cache, no EDNS, no report: one "address<TAB>verdict" line
 * per address (pass, fail, permerror = no PTR, temperror).
 *
 * Build: cc -O2 -o cares-fcrdns cares-fcrdns.c -lcares
 * Usage: cares-fcrdns -s HOST:PORT -w WINDOW [-t FIRST_TIMEOUT_MS]
 *                     [-T TRIES] < addresses > verdicts
 */
#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define MAX_NAMES 10
#define TICK_MS 50

struct check {
  char addr[64];
  int family;
  unsigned char bin[16];
  int pending;
  int match, temp, noptr;
};

static ares_channel ch;
static int ep;
static FILE *in;
static long window, inflight, done_count;
static int eof;

static void finish(struct check *c)
{
  const char *v = c->match   ? "pass"
                  : c->noptr ? "permerror"
                  : c->temp  ? "temperror"
                             : "fail";
  printf("%s\t%s\n", c->addr, v);
  free(c);
  inflight--;
  done_count++;
}

static void start_next(void);

static void release(struct check *c)
{
  if (--c->pending == 0) {
    finish(c);
    start_next();
  }
}

static void fwd_cb(void *arg, int status, int timeouts, unsigned char *abuf,
                   int alen)
{
  struct check *c = arg;
  (void)timeouts;
  if (status == ARES_SUCCESS) {
    int i, n = 32;
    if (c->family == 4) {
      struct ares_addrttl t[32];
      if (ares_parse_a_reply(abuf, alen, NULL, t, &n) == ARES_SUCCESS)
        for (i = 0; i < n; i++)
          if (memcmp(&t[i].ipaddr, c->bin, 4) == 0)
            c->match = 1;
    } else {
      struct ares_addr6ttl t[32];
      if (ares_parse_aaaa_reply(abuf, alen, NULL, t, &n) == ARES_SUCCESS)
        for (i = 0; i < n; i++)
          if (memcmp(&t[i].ip6addr, c->bin, 16) == 0)
            c->match = 1;
    }
  } else if (status != ARES_ENOTFOUND && status != ARES_ENODATA &&
             status != ARES_EDESTRUCTION) {
    c->temp = 1;
  }
  release(c);
}

static void ptr_cb(void *arg, int status, int timeouts, unsigned char *abuf,
                   int alen)
{
  struct check *c = arg;
  struct hostent *h = NULL;
  (void)timeouts;
  if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
    c->noptr = 1;
  } else if (status != ARES_SUCCESS) {
    c->temp = 1;
  } else if (ares_parse_ptr_reply(abuf, alen, c->bin, c->family == 4 ? 4 : 16,
                                  c->family == 4 ? AF_INET : AF_INET6,
                                  &h) != ARES_SUCCESS) {
    c->noptr = 1;
  } else {
    /* c-ares 1.18: h_name is the first PTR name, h_aliases all of them. */
    const char *names[MAX_NAMES];
    int n = 0, i, j;
    if (h->h_aliases)
      for (i = 0; h->h_aliases[i] && n < MAX_NAMES; i++) {
        for (j = 0; j < n; j++)
          if (strcasecmp(names[j], h->h_aliases[i]) == 0)
            break;
        if (j == n)
          names[n++] = h->h_aliases[i];
      }
    if (n == 0)
      names[n++] = h->h_name;
    for (i = 0; i < n; i++) {
      c->pending++;
      ares_query(ch, names[i], ns_c_in, c->family == 4 ? ns_t_a : ns_t_aaaa,
                 fwd_cb, c);
    }
    ares_free_hostent(h);
  }
  release(c);
}

static void start_next(void)
{
  char line[256];
  while (!eof && inflight < window) {
    struct check *c;
    char rev[128], *p, *e;
    if (fgets(line, sizeof(line), in) == NULL) {
      eof = 1;
      break;
    }
    for (p = line; *p == ' ' || *p == '\t'; p++)
      ;
    for (e = p + strlen(p); e > p && (e[-1] == '\n' || e[-1] == ' ');)
      *--e = '\0';
    if (*p == '\0')
      continue;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
      abort();
    snprintf(c->addr, sizeof(c->addr), "%s", p);
    if (inet_pton(AF_INET, p, c->bin) == 1) {
      c->family = 4;
      snprintf(rev, sizeof(rev), "%u.%u.%u.%u.in-addr.arpa", c->bin[3],
               c->bin[2], c->bin[1], c->bin[0]);
    } else if (inet_pton(AF_INET6, p, c->bin) == 1) {
      int i;
      char *q = rev;
      c->family = 6;
      for (i = 15; i >= 0; i--)
        q += sprintf(q, "%x.%x.", c->bin[i] & 0xf, c->bin[i] >> 4);
      strcpy(q, "ip6.arpa");
    } else {
      printf("%s\terror\n", p);
      free(c);
      continue;
    }
    inflight++;
    c->pending = 1;
    ares_query(ch, rev, ns_c_in, ns_t_ptr, ptr_cb, c);
  }
}

static void sock_state(void *data, ares_socket_t fd, int r, int w)
{
  struct epoll_event ev;
  (void)data;
  memset(&ev, 0, sizeof(ev));
  ev.data.fd = fd;
  ev.events = (r ? EPOLLIN : 0) | (w ? EPOLLOUT : 0);
  if (!r && !w) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    return;
  }
  if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
  struct ares_options o;
  const char *server = "127.0.0.1:53";
  int opt, timeout_ms = 500, tries = 4;
  long long last;

  window = 100;
  while ((opt = getopt(argc, argv, "s:w:t:T:")) != -1) {
    switch (opt) {
    case 's':
      server = optarg;
      break;
    case 'w':
      window = atol(optarg);
      break;
    case 't':
      timeout_ms = atoi(optarg);
      break;
    case 'T':
      tries = atoi(optarg);
      break;
    default:
      fprintf(stderr, "usage: %s -s HOST:PORT -w WINDOW [-t MS] [-T TRIES]"
                      " < addresses\n", argv[0]);
      return 2;
    }
  }
  if (window < 1)
    window = 1;
  in = stdin;
  ep = epoll_create1(0);
  if (ep < 0 || ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
    return 1;
  memset(&o, 0, sizeof(o));
  o.flags = ARES_FLAG_STAYOPEN;
  o.timeout = timeout_ms;
  o.tries = tries;
  o.sock_state_cb = sock_state;
  o.socket_receive_buffer_size = 4 * 1024 * 1024;
  if (ares_init_options(&ch, &o,
                        ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                            ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF) !=
          ARES_SUCCESS ||
      ares_set_servers_ports_csv(ch, server) != ARES_SUCCESS) {
    fprintf(stderr, "cares-fcrdns: cannot set up c-ares for %s\n", server);
    return 1;
  }
  start_next();
  last = now_ms();
  while (inflight > 0) {
    struct epoll_event ev[64];
    int n = epoll_wait(ep, ev, 64, TICK_MS), i;
    long long t;
    for (i = 0; i < n; i++)
      ares_process_fd(ch, (ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                              ? ev[i].data.fd
                              : ARES_SOCKET_BAD,
                      (ev[i].events & EPOLLOUT) ? ev[i].data.fd
                                                : ARES_SOCKET_BAD);
    t = now_ms();
    if (n <= 0 || t - last >= TICK_MS) {
      ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      last = t;
    }
  }
  ares_destroy(ch);
  ares_library_cleanup();
  fflush(stdout);
  return 0;
}
