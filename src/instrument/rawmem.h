/*
 * rawmem.h: memory the instruments keep for themselves, mapped with raw system calls so that
 * neither the counting allocator nor the mmap hook sees it (internal to src/instrument).
 */
#ifndef ZC_RAWMEM_H
#define ZC_RAWMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline unsigned long zc_page_bytes(void)
{
	return (unsigned long)sysconf(_SC_PAGESIZE);
}

/*
 * len bytes of zeroed memory, private, or shared (a shared anonymous mapping never merges
 * with the process's private memory: written.c leaves its own buffer out by that); NULL with
 * errno on failure.
 */
static inline void *zc_raw_map(size_t len, bool shared)
{
	long p = syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE,
			 (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
	return p == -1 ? NULL : (void *)p;
}

static inline void zc_raw_unmap(void *p, size_t len)
{
	if (p)
		syscall(SYS_munmap, p, len);
}

#endif
