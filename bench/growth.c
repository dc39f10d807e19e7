/* Workload 5, C side: does a call cost more when many sockets are open?
 * At 10, 1,000 and 10,000 open sockets (half as many connected pairs, both
 * ends in this process: RLIMIT_NOFILE's hard limit here is 20,000): recv of 1 byte (the data is
 * already queued) on sockets spread over the whole set, and closesocket of a
 * freshly made connection; then poll with 1, 100 and 1,000 entries (every
 * entry writable). Prints ns per recv / per close / per poll entry. */
#include "common.h"

#define SAMPLES 10

static int cmp(const void *x, const void *y) { return *(const int *)x - *(const int *)y; }

int main(int argc, char **argv) {
  long recvs = argc > 1 ? atol(argv[1]) : 100000;     /* recv calls per size */
  long closes = argc > 2 ? atol(argv[2]) : 2000;      /* closes per size */
  long entries = argc > 3 ? atol(argv[3]) : 2000000;  /* poll entries per size */
  static const int sizes[] = {10, 1000, 10000};
  static const int polls[] = {1, 100, 1000};
  static int cli[5000], srv[5000];
  static char buf[65536];
  struct sockaddr_in a;
  int l = listener(&a);
  int open = 0;
  printf("{");
  for (int k = 0; k < 3; k++) {
    pairs(l, &a, cli + open, srv + open, sizes[k] / 2 - open);
    open = sizes[k] / 2;
    long per = recvs / SAMPLES;
    int idx[SAMPLES];
    for (int j = 0; j < SAMPLES; j++) {
      idx[j] = (int)((long)j * open / SAMPLES);
      if (send(cli[idx[j]], buf, per, MSG_NOSIGNAL) != per) die("send");
    }
    qsort(idx, SAMPLES, sizeof idx[0], cmp);
    double t0 = now_ns();
    for (long r = 0; r < per; r++)
      for (int j = 0; j < SAMPLES; j++)
        if (recv(srv[idx[j]], buf, 1, 0) != 1) die("recv");
    double trecv = (now_ns() - t0) / (per * SAMPLES);
    double tclose = 0;
    for (long done = 0; done < closes; done += 10) {
      int c2[10], s2[10];
      pairs(l, &a, c2, s2, 10);
      double t1 = now_ns();
      for (int j = 0; j < 10; j++) close(c2[j]);
      tclose += now_ns() - t1;
      for (int j = 0; j < 10; j++) close(s2[j]);
    }
    printf("\"recv_%d\": %.1f, \"close_%d\": %.1f, ", sizes[k], trecv, sizes[k], tclose / closes);
  }
  static struct pollfd pfd[1000];
  for (int k = 0; k < 3; k++) {
    int e = polls[k];
    for (int i = 0; i < e; i++) pfd[i] = (struct pollfd){.fd = cli[i], .events = POLLIN | POLLOUT};
    long calls = entries / e;
    double t0 = now_ns();
    for (long r = 0; r < calls; r++)
      if (poll(pfd, e, 0) != e) die("poll");
    printf("\"poll_%d\": %.1f%s", e, (now_ns() - t0) / (calls * e), k < 2 ? ", " : "}\n");
  }
  return 0;
}
