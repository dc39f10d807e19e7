/* A receiver in its own process for the library's and node:net's runs: listens
 * on an ephemeral loopback port, prints it, accepts one connection, reads to
 * EOF (256 KiB at a time), closes, and prints the byte count. */
#include "common.h"

int main(void) {
  static char buf[256 * 1024];
  struct sockaddr_in a;
  int l = listener(&a);
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  int s = accept(l, NULL, NULL);
  if (s < 0) die("accept");
  long long total = drain(s, buf, sizeof buf);
  close(s);
  close(l);
  printf("%lld\n", total);
  return 0;
}
