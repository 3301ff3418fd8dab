/*
 * provenance.h: whose bytes a copy moves. The hooks see bytes move (copy functions, realloc,
 * the kernel's read- and write-like calls); only those that are the frame's count toward a
 * verdict (instrument.h: the *frame_bytes counters), the rest are reported apart.
 *
 * What holds the frame's bytes, in this process (and, for descriptors, in the processes of
 * its counting group, group.h):
 *   - the frames: every buffer the producer renders or stamps (frame.c tells
 *     zc_provenance_frame), wherever the producer lives (a library, a runtime's addon);
 *   - every copy of them: a counted copy taints its destination (the part that received
 *     frame bytes), until that memory is freed, unmapped, or overwritten by a copy of
 *     something else;
 *   - memory this process never saw receive a frame (another process's mapping, a pipe's
 *     bytes just read) holding rendered frame content: the content recogniser frame.c
 *     registers, sampled once per ZC_PROVENANCE_CELL-aligned 4 KiB chunk;
 *   - descriptors: an object (pipe, socket, file, memfd: its device and inode) written with
 *     frame bytes holds them, and a move out of it (splice, tee, sendfile, copy_file_range)
 *     carries them; into a file, a memfd or a socket such a move is a copy, into a pipe it
 *     hands page references on. A pipe's reads give back what was written first: the frame
 *     bytes written into it are those the reads take out, in order. The two ends of a
 *     socket pair are two objects: bytes read from a socket are judged by their content.
 * What it cannot tell: memory wiped by memset or a loop (the taint stays until the memory is
 * freed or overwritten by a copy function), a frame copied out of memory that holds
 * neither a registered frame nor rendered content (a stamped-only frame of another
 * process), fewer than ZC_PROVENANCE_CONTENT_MIN bytes copied out of unregistered memory.
 *
 * Nothing here allocates or calls a hooked function: it runs inside the hooks. Tables are
 * fixed: ZC_PROVENANCE_RANGES disjoint ranges, ZC_PROVENANCE_OBJECTS objects; what does not
 * fit is counted (zc_provenance_lost) and written out.
 */
#ifndef ZC_PROVENANCE_H
#define ZC_PROVENANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "kernel_op.h"

#define ZC_PROVENANCE_RANGES 256
#define ZC_PROVENANCE_OBJECTS 64
/* Copies out of unregistered memory shorter than this are not checked for frame content. */
#define ZC_PROVENANCE_CONTENT_MIN 1024u

/*
 * Bytes of [p, p + len) that hold frame content, by sampling: the content recogniser
 * frame.c registers (zc_provenance_recognise).
 */
typedef size_t (*zc_content_test)(const unsigned char *p, size_t len);

/* The frame content recogniser; the first registered stays. */
void zc_provenance_recognise(zc_content_test test);

/* [p, p + len) holds a frame the producer made here (rendered or stamped). */
void zc_provenance_frame(const void *p, size_t len);

/*
 * A copy of len bytes from src to dst (src NULL: bytes written from no memory, such as
 * strncpy's padding). Returns how many of them were the frame's; taints or clears dst.
 */
size_t zc_provenance_copy(void *dst, const void *src, size_t len);

/* [p, p + len) was freed or unmapped (len 0: nothing known, nothing done). */
void zc_provenance_forget(const void *p, size_t len);

/* A realloc moved old (old_len bytes) to p: returns the frame bytes it moved, and moves the taint. */
size_t zc_provenance_moved_block(const void *old, size_t old_len, const void *p);

/* A write-like call is about to send from mem to fd: a pipe holds its frame bytes already. */
void zc_provenance_sending(int fd, const struct zc_kernel_mem *mem);

/* A write-like call sent bytes from mem to fd: the frame's among them; fd's object taints. */
size_t zc_provenance_sent(int fd, const struct zc_kernel_mem *mem, size_t bytes);

/*
 * A read-like call on fd put bytes into mem: the frame's among them, mem tainted where they
 * landed. The frame's are: out of a pipe that holds frame bytes written in this process or
 * another of its counting group (group.h), up to as many as were written (a pipe is first
 * in, first out); for process_vm_readv on this process or the one it was forked from, those
 * of the remote memory that held them; else those holding rendered content.
 */
size_t zc_provenance_received(int fd, const struct zc_kernel_mem *mem, size_t bytes);

/*
 * A move of bytes from descriptor in to descriptor out: the frame's among them (all, when in's
 * object holds frame bytes), out's object tainted; *copied says whether out is not a pipe
 * (the kernel copied them into a file, memfd or socket).
 */
size_t zc_provenance_carried(int in, int out, size_t bytes, bool *copied);

/* A descriptor was closed: its cached object is forgotten. */
void zc_provenance_closed(int fd);

/* Ranges or objects that did not fit in the tables since the start (0: provenance whole). */
uint64_t zc_provenance_lost(void);

/*
 * A forked child: the ranges it inherited are its parent's at the fork, so a
 * process_vm_readv of the parent is judged by them (pthread_atfork).
 */
void zc_provenance_forked(void);

#endif
