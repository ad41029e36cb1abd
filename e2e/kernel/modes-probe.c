/*
 * The `modes` guest step's probe (guest-tests.sh): drives each VFIO uAPI the
 * running kernel offers through one DMA mapping, so "the node exists" is backed
 * by "the kernel answered".
 *
 *   modes-probe container /dev/vfio/<group> [container node, default /dev/vfio/vfio]
 *     the container + the group: SET_CONTAINER, SET_IOMMU (TYPE1v2), GET_INFO,
 *     the device fd, MAP_DMA/UNMAP_DMA of one page. Prints dma_avail and
 *     CHECK_EXTENSION(NESTING): type1 counts dma_avail down from dma_entry_limit
 *     and answers NESTING 1; iommufd's compat container reports 4294967295 and 0.
 *     With /dev/iommu as the container node: VFIO_GROUP_SET_CONTAINER also takes an
 *     iommufd, whose fd then answers the legacy container ioctls (iommufd's vfio_compat
 *     code, built with any CONFIG_IOMMUFD, whichever module serves /dev/vfio/vfio).
 *   modes-probe cdev /dev/vfio/devices/vfioN
 *     /dev/iommu: IOMMU_IOAS_ALLOC, the cdev: VFIO_DEVICE_BIND_IOMMUFD,
 *     VFIO_DEVICE_ATTACH_IOMMUFD_PT, IOMMU_IOAS_MAP/UNMAP of one page,
 *     VFIO_DEVICE_GET_INFO on the cdev fd.
 *
 * Built in the guest with the 6.12 uapi headers when the bed has them
 * (.work/headers-6.12); without them (a 6.1-only machine) the cdev part is left out.
 * Exit 0: every call succeeded; 1: one failed (the line says which and errno).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>
#ifdef VFIO_DEVICE_BIND_IOMMUFD
#include <linux/iommufd.h>
#endif

#define IOVA 0x100000ULL
#define PAGE 4096ULL

static int fail(const char *what) {
  printf("FAIL %s: %s (errno %d)\n", what, strerror(errno), errno);
  return 1;
}

static void *page(void) {
  void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  memset(p, 0, PAGE);
  return p;
}

static int container(const char *group_path, const char *node) {
  int c = open(node, O_RDWR);
  if (c < 0) return fail("open the container node");
  printf("container %s: API version %d, TYPE1v2 %d, NESTING %d\n", node, ioctl(c, VFIO_GET_API_VERSION),
         ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU), ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_NESTING_IOMMU));
  int g = open(group_path, O_RDWR);
  if (g < 0) return fail("open group");
  struct vfio_group_status st = {.argsz = sizeof st};
  if (ioctl(g, VFIO_GROUP_GET_STATUS, &st)) return fail("VFIO_GROUP_GET_STATUS");
  if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) { printf("FAIL group %s not viable\n", group_path); return 1; }
  if (ioctl(g, VFIO_GROUP_SET_CONTAINER, &c)) return fail("VFIO_GROUP_SET_CONTAINER");
  if (ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) return fail("VFIO_SET_IOMMU TYPE1v2");

  /* dma_avail is a capability in the info chain: ask for room for it */
  char buf[4096];
  struct vfio_iommu_type1_info *info = (void *)buf;
  memset(buf, 0, sizeof buf);
  info->argsz = sizeof buf;
  if (ioctl(c, VFIO_IOMMU_GET_INFO, info)) return fail("VFIO_IOMMU_GET_INFO");
  long long dma_avail = -1;
  if (info->flags & VFIO_IOMMU_INFO_CAPS) {
    for (unsigned off = info->cap_offset; off && off < sizeof buf;) {
      struct vfio_info_cap_header *h = (void *)(buf + off);
      if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) dma_avail = ((struct vfio_iommu_type1_info_dma_avail *)h)->avail;
      off = h->next;
    }
  }
  printf("container: iova_pgsizes 0x%llx, dma_avail %lld\n", (unsigned long long)info->iova_pgsizes, dma_avail);

  const char *bdf = getenv("MODES_PROBE_BDF");
  if (bdf) {
    int d = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, bdf);
    if (d < 0) return fail("VFIO_GROUP_GET_DEVICE_FD");
    struct vfio_device_info di = {.argsz = sizeof di};
    if (ioctl(d, VFIO_DEVICE_GET_INFO, &di)) return fail("VFIO_DEVICE_GET_INFO");
    printf("container: device %s, %u regions, %u irqs\n", bdf, di.num_regions, di.num_irqs);
    close(d);
  }
  void *p = page();
  if (!p) return fail("mmap");
  struct vfio_iommu_type1_dma_map m = {.argsz = sizeof m, .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
                                       .vaddr = (unsigned long)p, .iova = IOVA, .size = PAGE};
  if (ioctl(c, VFIO_IOMMU_MAP_DMA, &m)) return fail("VFIO_IOMMU_MAP_DMA");
  struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof u, .iova = IOVA, .size = PAGE};
  if (ioctl(c, VFIO_IOMMU_UNMAP_DMA, &u)) return fail("VFIO_IOMMU_UNMAP_DMA");
  printf("container: mapped and unmapped one page at 0x%llx (%llu bytes unmapped)\n", IOVA, (unsigned long long)u.size);
  close(g);
  close(c);
  return 0;
}

static int cdev(const char *cdev_path) {
#ifdef VFIO_DEVICE_BIND_IOMMUFD
  int ifd = open("/dev/iommu", O_RDWR);
  if (ifd < 0) return fail("open /dev/iommu");
  struct iommu_ioas_alloc a = {.size = sizeof a};
  if (ioctl(ifd, IOMMU_IOAS_ALLOC, &a)) return fail("IOMMU_IOAS_ALLOC");
  int d = open(cdev_path, O_RDWR);
  if (d < 0) return fail("open the cdev");
  struct vfio_device_bind_iommufd b = {.argsz = sizeof b, .iommufd = ifd};
  if (ioctl(d, VFIO_DEVICE_BIND_IOMMUFD, &b)) return fail("VFIO_DEVICE_BIND_IOMMUFD");
  struct vfio_device_attach_iommufd_pt at = {.argsz = sizeof at, .pt_id = a.out_ioas_id};
  if (ioctl(d, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at)) return fail("VFIO_DEVICE_ATTACH_IOMMUFD_PT");
  printf("cdev: ioas %u, devid %u, attached to hwpt %u\n", a.out_ioas_id, b.out_devid, at.pt_id);
  struct vfio_device_info di = {.argsz = sizeof di};
  if (ioctl(d, VFIO_DEVICE_GET_INFO, &di)) return fail("VFIO_DEVICE_GET_INFO");
  printf("cdev: device: %u regions, %u irqs\n", di.num_regions, di.num_irqs);
  void *p = page();
  if (!p) return fail("mmap");
  struct iommu_ioas_map m = {.size = sizeof m,
                             .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
                             .ioas_id = a.out_ioas_id, .user_va = (unsigned long)p, .length = PAGE, .iova = IOVA};
  if (ioctl(ifd, IOMMU_IOAS_MAP, &m)) return fail("IOMMU_IOAS_MAP");
  struct iommu_ioas_unmap u = {.size = sizeof u, .ioas_id = a.out_ioas_id, .iova = IOVA, .length = PAGE};
  if (ioctl(ifd, IOMMU_IOAS_UNMAP, &u)) return fail("IOMMU_IOAS_UNMAP");
  printf("cdev: mapped and unmapped one page at 0x%llx (%llu bytes unmapped)\n", IOVA, (unsigned long long)u.length);
  close(d);
  close(ifd);
  return 0;
#else
  (void)cdev_path;
  printf("FAIL cdev: built without the iommufd uapi headers\n");
  return 1;
#endif
}

int main(int argc, char **argv) {
  if ((argc == 3 || argc == 4) && !strcmp(argv[1], "container"))
    return container(argv[2], argc == 4 ? argv[3] : "/dev/vfio/vfio");
  if (argc == 3 && !strcmp(argv[1], "cdev")) return cdev(argv[2]);
  fprintf(stderr, "usage: %s container /dev/vfio/<group> [/dev/vfio/vfio | /dev/iommu] | cdev /dev/vfio/devices/vfioN\n", argv[0]);
  return 2;
}
