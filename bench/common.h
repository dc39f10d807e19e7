/* Shared helpers for the C baselines (the .c files in bench/). Each program is the plain
 * C version of one workload the bench script also runs through the library
 * and node:net; it prints its result as one line of JSON. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline void die(const char *what) {
  perror(what);
  exit(1);
}

static inline double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

/* A listening socket on an ephemeral loopback port; its address in *a. */
static inline int listener(struct sockaddr_in *a) {
  socklen_t len = sizeof *a;
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int l = socket(AF_INET, SOCK_STREAM, 0);
  if (l < 0 || bind(l, (struct sockaddr *)a, sizeof *a) || listen(l, 65535) || getsockname(l, (struct sockaddr *)a, &len)) die("listener");
  return l;
}

static inline int connect_to(const struct sockaddr_in *a) {
  int c = socket(AF_INET, SOCK_STREAM, 0);
  if (c < 0 || connect(c, (const struct sockaddr *)a, sizeof *a)) die("connect");
  return c;
}

/* n connected pairs through listener l: cli[i] connected, srv[i] accepted. */
static inline void pairs(int l, const struct sockaddr_in *a, int *cli, int *srv, int n) {
  for (int i = 0; i < n; i++) {
    cli[i] = connect_to(a);
    srv[i] = accept(l, NULL, NULL);
    if (srv[i] < 0) die("accept");
  }
}

/* Reads until EOF; returns the byte count. */
static inline long long drain(int fd, char *buf, size_t size) {
  long long total = 0;
  for (ssize_t n; (n = recv(fd, buf, size, 0)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recv");
    }
    total += n;
  }
  return total;
}
