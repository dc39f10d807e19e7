/* Workload 4's client (the same for every server contender): opens n
 * connections to 127.0.0.1:port, prints "connected", waits for a line on
 * stdin (the server has a recv pending on each), then sends one 64-byte
 * message on each, shuts its sending side, reads each to EOF and closes.
 * Prints "done". */
#include "common.h"

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int port = atoi(argv[1]), n = atoi(argv[2]);
  int *fd = malloc(n * sizeof *fd);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  for (int i = 0; i < n; i++) fd[i] = connect_to(&a);
  printf("connected\n");
  fflush(stdout);
  char line[16];
  if (!fgets(line, sizeof line, stdin)) return 3;
  char msg[64], buf[256];
  memset(msg, 0x2a, sizeof msg);
  for (int i = 0; i < n; i++)
    if (send(fd[i], msg, sizeof msg, MSG_NOSIGNAL) != sizeof msg || shutdown(fd[i], SHUT_WR)) die("send");
  for (int i = 0; i < n; i++) {
    drain(fd[i], buf, sizeof buf);
    close(fd[i]);
  }
  printf("done\n");
  return 0;
}
