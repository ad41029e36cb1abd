/*
 * The baseline for vfioscope's IRQ-count read path: what reading the counts
 * of N eventfds (one per interrupt vector) costs per tick in plain C, when K
 * of them fired since the last tick. Two strategies:
 *   loop:  read(2) every eventfd (EAGAIN for the quiet ones)
 *   epoll: one epoll_wait(2), then read(2) only the fired ones
 * Usage: irq-read-cost N K TICKS; prints one line per strategy:
 *   c-loop  N K ns_per_tick ns_per_vector
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fire(const int *fds, int n, int k) {
  uint64_t one = 1;
  /* spread the fired vectors over the set */
  for (int i = 0; i < k; i++) {
    if (write(fds[(long)i * n / k], &one, 8) != 8) { perror("write"); exit(1); }
  }
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s N K TICKS\n", argv[0]); return 2; }
  int n = atoi(argv[1]), k = atoi(argv[2]), ticks = atoi(argv[3]);
  int *fds = calloc(n, sizeof *fds);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event *evs = calloc(n, sizeof *evs);
  for (int i = 0; i < n; i++) {
    fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fds[i] < 0) { perror("eventfd"); return 1; }
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0) { perror("epoll_ctl"); return 1; }
  }
  uint64_t v, total = 0, sum = 0;
  for (int t = 0; t < ticks; t++) {
    fire(fds, n, k);
    uint64_t t0 = now_ns();
    for (int i = 0; i < n; i++) {
      if (read(fds[i], &v, 8) == 8) sum += v;
      else if (errno != EAGAIN) { perror("read"); return 1; }
    }
    total += now_ns() - t0;
  }
  printf("c-loop  %6d %5d %12.0f %10.1f\n", n, k, (double)total / ticks, (double)total / ticks / n);
  total = 0;
  for (int t = 0; t < ticks; t++) {
    fire(fds, n, k);
    uint64_t t0 = now_ns();
    int ready = epoll_wait(ep, evs, n, 0);
    for (int i = 0; i < ready; i++) {
      if (read(evs[i].data.fd, &v, 8) == 8) sum += v;
    }
    total += now_ns() - t0;
  }
  printf("c-epoll %6d %5d %12.0f %10.1f\n", n, k, (double)total / ticks, (double)total / ticks / n);
  if (sum != (uint64_t)2 * k * ticks) { fprintf(stderr, "lost counts: %llu\n", (unsigned long long)sum); return 1; }
  return 0;
}
