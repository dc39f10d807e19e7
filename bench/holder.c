/* The far end for workload 6 (teardown), the same for every contender:
 * listens on an ephemeral loopback port, prints it, accepts every connection
 * and holds it, closing its end when the peer's FIN or RST arrives. It runs
 * until its stdin closes. Living in its own process, it leaves the measured
 * process room for 10,000 connections under RLIMIT_NOFILE. */
#include <sys/epoll.h>
#include "common.h"

int main(void) {
  struct sockaddr_in a;
  int l = listener(&a);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = l};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev)) die("epoll");
  ev.data.fd = 0;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev)) die("epoll stdin");
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  static struct epoll_event evs[256];
  static char buf[4096];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == 0) return 0; /* stdin closed (or a line): the bench is done */
      if (fd == l) {
        int s = accept(l, NULL, NULL);
        if (s < 0) continue;
        struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = s};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, s, &e)) die("epoll_ctl");
      } else if (recv(fd, buf, sizeof buf, 0) <= 0) {
        close(fd); /* closing also removes it from the epoll set */
      }
    }
  }
}
