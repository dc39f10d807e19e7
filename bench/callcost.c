/* Workload 1, C side: the cost of one cheap call on a connected TCP socket,
 * ioctl(FIONREAD), getsockopt(SO_ERROR) and send of 1 byte, n times each.
 * A forked child drains the 1-byte sends so the sender never blocks.
 * Prints {"fionread": ns/call, "so_error": ns/call, "send1": ns/call}. */
#include "common.h"

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  struct sockaddr_in a;
  int l = listener(&a);
  pid_t pid = fork();
  if (pid == 0) {
    static char buf[256 * 1024]; /* as bench/sink.c reads */
    int s = accept(l, NULL, NULL);
    if (s < 0) die("accept");
    drain(s, buf, sizeof buf);
    _exit(0);
  }
  close(l);
  int c = connect_to(&a);
  int v;
  socklen_t len;
  char one = 'x';
  double t0 = now_ns();
  for (long i = 0; i < n; i++)
    if (ioctl(c, FIONREAD, &v)) die("ioctl");
  double t1 = now_ns();
  for (long i = 0; i < n; i++) {
    len = sizeof v;
    if (getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len)) die("getsockopt");
  }
  double t2 = now_ns();
  for (long i = 0; i < n; i++)
    if (send(c, &one, 1, MSG_NOSIGNAL) != 1) die("send");
  double t3 = now_ns();
  shutdown(c, SHUT_WR);
  waitpid(pid, NULL, 0);
  close(c);
  printf("{\"fionread\": %.1f, \"so_error\": %.1f, \"send1\": %.1f}\n", (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n);
  return 0;
}
