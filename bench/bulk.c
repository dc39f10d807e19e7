/* Workload 3, C side: `bytes` over one loopback connection in 256 KiB sends
 * to a receiver in another (forked) process, then a graceful close: the
 * sender shuts down its side, the receiver reads to EOF and closes, the
 * sender reads that EOF and closes. Prints {"mibps": MiB/s}. */
#include "common.h"

#define CHUNK (256 * 1024)

int main(int argc, char **argv) {
  long long bytes = argc > 1 ? atoll(argv[1]) : (1LL << 30);
  static char buf[CHUNK];
  struct sockaddr_in a;
  int l = listener(&a);
  pid_t pid = fork();
  if (pid == 0) {
    int s = accept(l, NULL, NULL);
    if (s < 0) die("accept");
    long long got = drain(s, buf, sizeof buf);
    close(s);
    _exit(got == bytes ? 0 : 2);
  }
  close(l);
  memset(buf, 0x2a, sizeof buf);
  double t0 = now_ns();
  int c = connect_to(&a);
  for (long long left = bytes; left > 0;) {
    size_t want = left < CHUNK ? (size_t)left : CHUNK;
    ssize_t n = send(c, buf, want, MSG_NOSIGNAL);
    if (n < 0) die("send");
    left -= n;
  }
  if (shutdown(c, SHUT_WR)) die("shutdown");
  drain(c, buf, sizeof buf);
  close(c);
  double t1 = now_ns();
  int status;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status)) {
    fprintf(stderr, "bulk: receiver failed\n");
    return 1;
  }
  printf("{\"mibps\": %.1f}\n", bytes / 1048576.0 / ((t1 - t0) / 1e9));
  return 0;
}
