/* Workload 6, C side: closing n idle connections, once with the default
 * close (FIN) and once with linger {1,0} (RST). The far ends live in a
 * bench/holder.c process (its path in argv[1]) started here, which closes
 * each when its FIN or RST arrives. Only the closes are timed. Prints closes
 * per second. */
#include "common.h"

static double teardown(const struct sockaddr_in *a, int *cli, int n, int abortive) {
  for (int i = 0; i < n; i++) cli[i] = connect_to(a);
  if (abortive) {
    struct linger lg = {1, 0};
    for (int i = 0; i < n; i++)
      if (setsockopt(cli[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg)) die("setsockopt");
  }
  double t0 = now_ns();
  for (int i = 0; i < n; i++)
    if (close(cli[i])) die("close");
  return n / ((now_ns() - t0) / 1e9);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int n = argc > 2 ? atoi(argv[2]) : 10000;
  int *cli = malloc(n * sizeof *cli);
  /* The holder: its stdin is our pipe (closing it ends the holder), its stdout prints the port. */
  int in[2], out[2];
  if (pipe(in) || pipe(out)) die("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[1]);
    close(out[0]);
    execl(argv[1], argv[1], (char *)NULL);
    die("exec holder");
  }
  close(in[0]);
  close(out[1]);
  char line[32];
  FILE *po = fdopen(out[0], "r");
  if (!po || !fgets(line, sizeof line, po)) die("holder port");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(line)), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  double graceful = teardown(&a, cli, n, 0);
  double abortive = teardown(&a, cli, n, 1);
  close(in[1]);
  waitpid(pid, NULL, 0);
  printf("{\"default\": %.0f, \"linger0\": %.0f}\n", graceful, abortive);
  return 0;
}
