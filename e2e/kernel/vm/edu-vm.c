/*
 * edu-vm: the whole "guest OS" of the VM the real-kernel bed starts inside its
 * QEMU guest, so that vfioscope watches a device held and driven by a real
 * QEMU through -device vfio-pci, as an operator's VM would hold it.
 *
 * A multiboot kernel (QEMU's -kernel loads it; no disk, no firmware of ours):
 * it finds QEMU's edu (1234:11e8) through the PCI configuration ports, turns on
 * memory decoding, bus mastering and MSI, then forever, paced by the PIT at
 * 100 Hz: raises one edu interrupt per tick (BAR0 0x60; with MSI enabled edu
 * sends an MSI per raise, hw/misc/edu.c edu_raise_irq), and every half second
 * a DMA round trip RAM -> edu -> RAM checked byte for byte. With "faults=N" on
 * its command line (-append) it first starts N DMAs from a guest-physical
 * address the VM has no RAM at: QEMU's vfio-pci mapped only the VM's RAM into
 * the device's IOMMU domain, so the host IOMMU refuses each read (a DMAR fault
 * the host kernel logs against the device).
 *
 * Progress goes to COM1 ("edu-vm: ..." lines) for the test to wait on.
 *
 * Built by the bed's tests in the guest:
 *   gcc -m32 -march=i686 -ffreestanding -fno-pic -fno-stack-protector -nostdlib -static -O1
 *       -Wl,-Ttext=0x100000 -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -o edu-vm.elf edu-vm.c
 * Only the multiboot header (in the first 8 KiB, hence first in .text) and
 * flat 32-bit protected mode are assumed (Multiboot 0.6.96 §3.2).
 */
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
/* hw/misc/edu.c register map */
#define EDU_ID 0x00
#define EDU_STATUS 0x20
#define EDU_RAISE 0x60
#define EDU_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START 1
#define EDU_DMA_TO_RAM 2
#define EDU_DMA_BUF 0x40000
#define DMA_LEN 256
/* edu's DMA mask is 28 bits: an address below 256 MiB the VM has no RAM at (-m 64M or less) */
#define UNMAPPED_GPA 0x0c000000u

#define PIT_HZ 100
#define TICKS_PER_DMA (PIT_HZ / 2)

__asm__(
    ".section .text\n"
    ".align 4\n"
    "mb_header: .long 0x1BADB002, 0, -0x1BADB002\n"
    ".globl _start\n"
    "_start:\n"
    "  mov $stack_top, %esp\n"
    "  push %ebx\n" /* multiboot information */
    "  push %eax\n" /* 0x2BADB002 */
    "  call edu_vm_main\n"
    "1: cli\n  hlt\n  jmp 1b\n"
    /* the PIT (IRQ 0 at vector 0x20): count the tick, end it at the 8259 */
    ".globl isr_tick\n"
    "isr_tick:\n"
    "  push %eax\n"
    "  incl ticks\n"
    "  mov $0x20, %al\n"
    "  out %al, $0x20\n"
    "  pop %eax\n"
    "  iret\n"
    /* any other vector (edu's MSI): end it at the local APIC */
    ".globl isr_other\n"
    "isr_other:\n"
    "  movl $0, 0xfee000b0\n"
    "  iret\n");

u8 stack[16384] __attribute__((aligned(16)));
__asm__(".globl stack_top\n.set stack_top, stack + 16384\n");
volatile u32 ticks;

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline u32 inl(u16 port) {
  u32 v;
  __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

static void putc(char c) { outb(0x3f8, (u8)c); }
static void puts(const char *s) {
  while (*s) putc(*s++);
}
static void puthex(u32 v) {
  puts("0x");
  for (int i = 28; i >= 0; i -= 4) putc("0123456789abcdef"[(v >> i) & 15]);
}
static void putdec(u32 v) {
  char b[11];
  int n = 0;
  do b[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
  while (n) putc(b[--n]);
}

/* PCI configuration mechanism #1 (ports 0xcf8/0xcfc) */
static u32 cfg_addr(u32 bdf, u32 off) { return 0x80000000u | (bdf << 8) | (off & 0xfc); }
static u32 cfg_read32(u32 bdf, u32 off) {
  outl(0xcf8, cfg_addr(bdf, off));
  return inl(0xcfc);
}
static void cfg_write32(u32 bdf, u32 off, u32 v) {
  outl(0xcf8, cfg_addr(bdf, off));
  outl(0xcfc, v);
}
static void cfg_write16(u32 bdf, u32 off, u16 v) {
  outl(0xcf8, cfg_addr(bdf, off));
  outw((u16)(0xcfc + (off & 2)), v);
}
static u16 cfg_read16(u32 bdf, u32 off) { return (u16)(cfg_read32(bdf, off) >> ((off & 2) * 8)); }

static volatile u32 *bar0;
static u32 rd(u32 reg) { return bar0[reg / 4]; }
static void wr(u32 reg, u32 v) { bar0[reg / 4] = v; }

/* 256 interrupt gates: the PIT's IRQ 0 (remapped to 0x20) to isr_tick, the rest (edu's MSI) to isr_other */
struct gate {
  u16 off_lo, sel;
  u8 zero, type;
  u16 off_hi;
} __attribute__((packed));
static struct gate idt[256];
extern void isr_tick(void), isr_other(void);

static void setup_interrupts(void) {
  u16 cs;
  __asm__ volatile("mov %%cs, %0" : "=r"(cs));
  for (int v = 0; v < 256; v++) {
    u32 a = v == 0x20 ? (u32)isr_tick : (u32)isr_other;
    idt[v] = (struct gate){(u16)a, cs, 0, 0x8e, (u16)(a >> 16)};
  }
  struct {
    u16 limit;
    u32 base;
  } __attribute__((packed)) idtr = {sizeof idt - 1, (u32)idt};
  __asm__ volatile("lidt %0" ::"m"(idtr));
  /* 8259: vectors 0x20-0x2f, only IRQ 0 unmasked */
  outb(0x20, 0x11), outb(0x21, 0x20), outb(0x21, 0x04), outb(0x21, 0x01), outb(0x21, 0xfe);
  outb(0xa0, 0x11), outb(0xa1, 0x28), outb(0xa1, 0x02), outb(0xa1, 0x01), outb(0xa1, 0xff);
  /* PIT channel 0, rate generator */
  u32 div = 1193182 / PIT_HZ;
  outb(0x43, 0x34), outb(0x40, (u8)div), outb(0x40, (u8)(div >> 8));
}

static u32 find_edu(void) {
  for (u32 bus = 0; bus < 4; bus++)
    for (u32 dev = 0; dev < 32; dev++) {
      u32 bdf = (bus << 8) | (dev << 3);
      if (cfg_read32(bdf, 0) == ((u32)EDU_DEVICE << 16 | EDU_VENDOR)) return bdf;
    }
  return 0xffffffffu;
}

/* MSI capability (PCI 3.0 §6.8.1): message address 0xfee00000 (CPU 0), the vector as data */
static int enable_msi(u32 bdf, u8 vector) {
  u32 cap = cfg_read32(bdf, 0x34) & 0xfc;
  for (int guard = 0; cap && guard < 48; guard++) {
    u32 head = cfg_read32(bdf, cap);
    if ((head & 0xff) == 0x05) {
      u16 ctrl = (u16)(head >> 16);
      u32 data_off = (ctrl & 0x80) ? cap + 12 : cap + 8;
      cfg_write32(bdf, cap + 4, 0xfee00000u);
      if (ctrl & 0x80) cfg_write32(bdf, cap + 8, 0);
      cfg_write16(bdf, data_off, vector);
      cfg_write16(bdf, cap + 2, (u16)((ctrl & ~0x70u) | 1));
      return 1;
    }
    cap = (head >> 8) & 0xfc;
  }
  return 0;
}

static void dma(u32 src, u32 dst, u32 len, u32 cmd) {
  wr(EDU_DMA_SRC, src), wr(EDU_DMA_SRC + 4, 0);
  wr(EDU_DMA_DST, dst), wr(EDU_DMA_DST + 4, 0);
  wr(EDU_DMA_COUNT, len);
  wr(EDU_DMA_CMD, cmd | EDU_DMA_START);
  for (u32 spin = 0; (rd(EDU_DMA_CMD) & EDU_DMA_START) && spin < 100000000u; spin++) __asm__ volatile("pause");
}

static u8 out_buf[DMA_LEN] __attribute__((aligned(4096)));
static u8 in_buf[DMA_LEN] __attribute__((aligned(4096)));

static u32 dma_round_trip(u32 round) {
  for (u32 i = 0; i < DMA_LEN; i++) out_buf[i] = (u8)(i * 7 + round), in_buf[i] = 0;
  dma((u32)out_buf, EDU_DMA_BUF, DMA_LEN, 0);
  dma(EDU_DMA_BUF, (u32)in_buf, DMA_LEN, EDU_DMA_TO_RAM);
  for (u32 i = 0; i < DMA_LEN; i++)
    if (in_buf[i] != out_buf[i]) return 0;
  return 1;
}

/* "faults=N" from the multiboot command line (information flag bit 2, cmdline at +16) */
static u32 faults_wanted(u32 magic, const u32 *mbi) {
  if (magic != 0x2BADB002u || !(mbi[0] & 4)) return 0;
  const char *s = (const char *)mbi[4];
  for (; *s; s++) {
    const char *k = "faults=";
    const char *p = s;
    while (*k && *p == *k) p++, k++;
    if (*k) continue;
    u32 n = 0;
    while (*p >= '0' && *p <= '9') n = n * 10 + (u32)(*p++ - '0');
    return n;
  }
  return 0;
}

void edu_vm_main(u32 magic, const u32 *mbi) {
  u32 bdf = find_edu();
  if (bdf == 0xffffffffu) {
    puts("edu-vm: no edu device\n");
    return;
  }
  bar0 = (volatile u32 *)(cfg_read32(bdf, 0x10) & ~0xfu);
  cfg_write16(bdf, 0x04, (u16)(cfg_read16(bdf, 0x04) | 0x6)); /* memory space, bus master */
  puts("edu-vm: edu at "), puthex(bdf), puts(" bar0 "), puthex((u32)bar0), puts(" id "), puthex(rd(EDU_ID)), putc('\n');
  setup_interrupts();
  if (!enable_msi(bdf, 0x41)) {
    puts("edu-vm: no MSI capability\n");
    return;
  }
  puts("edu-vm: msi on\n");
  u32 faults = faults_wanted(magic, mbi);
  for (u32 i = 0; i < faults; i++) dma(UNMAPPED_GPA + i * 4096, EDU_DMA_BUF, 64, 0);
  if (faults) puts("edu-vm: faulting DMAs done "), putdec(faults), putc('\n');
  puts(dma_round_trip(0) ? "edu-vm: dma ok\n" : "edu-vm: dma MISMATCH\n");
  __asm__ volatile("sti");
  for (u32 seen = 0, raised = 0;;) {
    __asm__ volatile("hlt");
    if (ticks == seen) continue; /* woken by edu's own MSI */
    seen = ticks;
    wr(EDU_RAISE, 1);
    wr(EDU_ACK, 1);
    if (++raised % TICKS_PER_DMA == 0 && !dma_round_trip(raised)) puts("edu-vm: dma MISMATCH\n");
    if (raised % (PIT_HZ * 5) == 0) puts("edu-vm: raised "), putdec(raised), putc('\n');
  }
}
