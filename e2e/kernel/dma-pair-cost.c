/*
 * The baseline for vfioscope's DMA map path (bench/dma-vs-c.bench.ts): the
 * same type1 ioctls in plain C, set up as vfioscope's Host API sets them up —
 * /dev/vfio/vfio, the group set to it, VFIO_TYPE1v2_IOMMU, DMA memory from an
 * anonymous private mmap (LinuxDmaBuffer) — with the same IOVA pattern.
 * Usage:
 *   dma-pair-cost GROUP pairs SIZE N   N × (VFIO_IOMMU_MAP_DMA + UNMAP_DMA) of SIZE bytes,
 *                                      pair i at IOVA 4 GiB + (i % 16) × SIZE, one buffer;
 *                                      prints "c-pairs SIZE N ns_per_pair"
 *   dma-pair-cost GROUP pin SIZE       one MAP_DMA of SIZE bytes of fresh memory and its UNMAP;
 *                                      prints "c-pin SIZE map_ns unmap_ns"
 *   dma-pair-cost GROUP getpid 0 N     N × two getpid syscalls, the C side of the bench's
 *                                      ffi-getpid row (what a call costs with nothing to do);
 *                                      prints "c-getpid 0 N ns_per_pair"
 * Setup and a short warm-up (N/10 pairs, at least one) are not timed.
 */
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define IOVA_BASE 0x100000000ull
#define IOVA_SLOTS 16

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static int open_container(const char *group_path) {
  int container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
  if (container < 0) die("open /dev/vfio/vfio");
  int group = open(group_path, O_RDWR | O_CLOEXEC);
  if (group < 0) die(group_path);
  if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container)) die("VFIO_GROUP_SET_CONTAINER");
  if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) die("VFIO_SET_IOMMU");
  return container;
}

static void *alloc(uint64_t size) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die("mmap");
  return p;
}

static void map(int container, void *vaddr, uint64_t iova, uint64_t size) {
  struct vfio_iommu_type1_dma_map m = {
      .argsz = sizeof m,
      .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
      .vaddr = (uintptr_t)vaddr,
      .iova = iova,
      .size = size,
  };
  if (ioctl(container, VFIO_IOMMU_MAP_DMA, &m)) die("VFIO_IOMMU_MAP_DMA");
}

static void unmap(int container, uint64_t iova, uint64_t size) {
  struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof u, .iova = iova, .size = size};
  if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u)) die("VFIO_IOMMU_UNMAP_DMA");
  if (u.size != size) {
    fprintf(stderr, "unmapped %llu bytes, expected %llu\n", (unsigned long long)u.size, (unsigned long long)size);
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s GROUP pairs SIZE N | GROUP pin SIZE\n", argv[0]);
    return 2;
  }
  int container = open_container(argv[1]);
  uint64_t size = strtoull(argv[3], NULL, 0);
  if (strcmp(argv[2], "pairs") == 0 && argc == 5) {
    long n = atol(argv[4]);
    void *buf = alloc(size);
    long warm = n / 10 > 0 ? n / 10 : 1;
    for (long i = 0; i < warm; i++) {
      map(container, buf, IOVA_BASE + (uint64_t)(i % IOVA_SLOTS) * size, size);
      unmap(container, IOVA_BASE + (uint64_t)(i % IOVA_SLOTS) * size, size);
    }
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
      uint64_t iova = IOVA_BASE + (uint64_t)(i % IOVA_SLOTS) * size;
      map(container, buf, iova, size);
      unmap(container, iova, size);
    }
    uint64_t t1 = now_ns();
    printf("c-pairs %llu %ld %.0f\n", (unsigned long long)size, n, (double)(t1 - t0) / n);
  } else if (strcmp(argv[2], "getpid") == 0 && argc == 5) {
    long n = atol(argv[4]);
    /* syscall(), not getpid(): a libc that caches the pid would make no syscall at all */
    for (long i = 0; i < (n / 10 > 0 ? n / 10 : 1); i++) syscall(SYS_getpid);
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
      syscall(SYS_getpid);
      syscall(SYS_getpid);
    }
    uint64_t t1 = now_ns();
    printf("c-getpid 0 %ld %.0f\n", n, (double)(t1 - t0) / n);
  } else if (strcmp(argv[2], "pin") == 0) {
    void *buf = alloc(size);
    uint64_t t0 = now_ns();
    map(container, buf, IOVA_BASE, size);
    uint64_t t1 = now_ns();
    unmap(container, IOVA_BASE, size);
    uint64_t t2 = now_ns();
    printf("c-pin %llu %llu %llu\n", (unsigned long long)size, (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1));
  } else {
    fprintf(stderr, "unknown mode %s\n", argv[2]);
    return 2;
  }
  return 0;
}
