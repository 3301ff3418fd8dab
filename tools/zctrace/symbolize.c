/*
 * symbolize.c: names for code in ELF files through elfutils' libdwfl (symbolize.h). One Dwfl
 * session per file, the file reported at load bias 0, so that an offset of the record
 * (callsite.h) is an address of the session. DWARF comes first: it knows inlined functions
 * and names a C function without the compiler's clone suffixes (".constprop.0"); the symbol
 * table, which libdwfl reads from the file or from its separate debug file, names the rest.
 */
#include "symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libstdc++'s demangler (its header is C++ only). */
char *__cxa_demangle(const char *mangled, char *out, size_t *len, int *status);

/* A function symbol's range, from the symbol table. */
struct sym_range {
	uint64_t start, end;
	const char *name; /* libelf's: valid while the module's session lives */
	int rank;         /* global 0, weak 1, local 2: the name dladdr and gdb would prefer */
};

/* One named offset; its strings are its own. */
struct named {
	uint64_t offset;
	struct zct_symbol sym;
};

struct zct_sym_module {
	char *path;
	Dwfl *dwfl;
	Dwfl_Module *mod;       /* NULL: the file could not be read */
	Dwarf_Addr bias;        /* the session's address of offset 0 */
	struct sym_range *syms; /* by start; loaded on the first lookup DWARF cannot answer */
	size_t nsyms;
	bool syms_loaded;
	struct named **names;   /* open addressing on the offset; cap a power of two */
	size_t nnames, cap;
};

/*
 * A separate debug file is looked up by build id under /usr/lib/debug (Debian's -dbg and
 * -dbgsym packages put theirs there), and nowhere else: dwfl_standard_find_debuginfo would also
 * ask a debuginfod server, over the network when DEBUGINFOD_URLS is set, and loads its client
 * library (libcurl...) even when it is not, which cost 7 ms for each stripped file.
 */
static char *debuginfo_path; /* NULL: libdwfl's default (/usr/lib/debug) */
static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_build_id_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

void zct_symbolizer_init(struct zct_symbolizer *s)
{
	*s = (struct zct_symbolizer){0};
}

static void named_free(struct named *n)
{
	free((char *)n->sym.function);
	free((char *)n->sym.inlined_into);
	free((char *)n->sym.file);
	free(n);
}

void zct_symbolizer_release(struct zct_symbolizer *s)
{
	for (size_t i = 0; i < s->nmodules; i++) {
		struct zct_sym_module *m = &s->modules[i];
		for (size_t k = 0; k < m->cap; k++)
			if (m->names[k])
				named_free(m->names[k]);
		free(m->names);
		free(m->syms);
		free(m->path);
		if (m->dwfl)
			dwfl_end(m->dwfl);
	}
	free(s->modules);
	zct_symbolizer_init(s);
}

/* The file's session, opened on first use; NULL only when out of memory. */
static struct zct_sym_module *module_for(struct zct_symbolizer *s, const char *path)
{
	for (size_t i = 0; i < s->nmodules; i++)
		if (strcmp(s->modules[i].path, path) == 0)
			return &s->modules[i];
	if (s->nmodules == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct zct_sym_module *more = realloc(s->modules, cap * sizeof(*more));
		if (!more)
			return NULL;
		s->modules = more;
		s->cap = cap;
	}
	struct zct_sym_module *m = &s->modules[s->nmodules];
	*m = (struct zct_sym_module){.path = strdup(path)};
	if (!m->path)
		return NULL;
	s->nmodules++;
	m->dwfl = dwfl_begin(&callbacks);
	if (!m->dwfl)
		return m;
	/* an ET_DYN file at bias 0 (add_p_vaddr): session addresses are the file's own */
	m->mod = dwfl_report_elf(m->dwfl, path, path, -1, 0, true);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (m->mod && !dwfl_module_getelf(m->mod, &m->bias))
		m->mod = NULL;
	return m;
}

/* A C++ name demangled, any other copied; NULL when out of memory. */
static char *readable(const char *name)
{
	int status = -1;
	char *plain = name[0] == '_' && name[1] == 'Z' ? __cxa_demangle(name, NULL, NULL, &status)
						       : NULL;
	return status == 0 ? plain : strdup(name);
}

static int rank(unsigned char info)
{
	switch (GELF_ST_BIND(info)) {
	case STB_GLOBAL:
		return 0;
	case STB_WEAK:
		return 1;
	default:
		return 2;
	}
}

static int by_start(const void *a, const void *b)
{
	const struct sym_range *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/*
 * syms sorted by start: a radix sort, a byte a pass from the least significant, as many passes
 * as the largest start has bytes (4 for node). qsort took half of the time of naming node's
 * sites (85,000 function symbols); this takes a tenth of it. qsort when out of memory.
 */
static void sort_by_start(struct sym_range *syms, size_t n)
{
	uint64_t max = 0;
	for (size_t i = 0; i < n; i++)
		max = syms[i].start > max ? syms[i].start : max;
	struct sym_range *tmp = malloc(n * sizeof(*tmp)), *from = syms, *to = tmp;
	if (!tmp) {
		qsort(syms, n, sizeof(*syms), by_start);
		return;
	}
	for (unsigned shift = 0; shift < 64 && max >> shift; shift += 8) {
		size_t at[257] = {0}; /* at[b]: where the first start with byte b goes */
		for (size_t i = 0; i < n; i++)
			at[((from[i].start >> shift) & 0xff) + 1]++;
		for (unsigned b = 0; b < 256; b++)
			at[b + 1] += at[b];
		for (size_t i = 0; i < n; i++)
			to[at[(from[i].start >> shift) & 0xff]++] = from[i];
		struct sym_range *t = from;
		from = to;
		to = t;
	}
	if (from != syms)
		memcpy(syms, from, n * sizeof(*syms));
	free(tmp);
}

/* Of two symbols covering an address, the innermost; of aliases, the preferred by binding,
 * then by name (the order of the table is no order). */
static bool better(const struct sym_range *r, const struct sym_range *than)
{
	if (r->start != than->start)
		return r->start > than->start;
	if (r->rank != than->rank)
		return r->rank < than->rank;
	return strcmp(r->name, than->name) < 0;
}

/* A function symbol with a size, defined in the file, kept in m->syms at addr. */
static void keep_symbol(struct zct_sym_module *m, const char *name, const GElf_Sym *sym,
			GElf_Word shndx, GElf_Addr addr)
{
	int type = GELF_ST_TYPE(sym->st_info);
	if (!name || !*name || !sym->st_size || shndx == SHN_UNDEF ||
	    (type != STT_FUNC && type != STT_GNU_IFUNC))
		return;
	m->syms[m->nsyms++] = (struct sym_range){addr, addr + sym->st_size, name,
						 rank(sym->st_info)};
}

/*
 * The file's own .symtab, which libdwfl would pick (it looks elsewhere only when the file has
 * none), read in place: libdwfl's getsym looks up each symbol's section, 300 instructions a
 * symbol, 30 million for node's 110,000. Only at bias 0 (every file here: an executable or a
 * library reported at 0), where a symbol's address is its value whatever its section; false
 * when the file has no .symtab or is not a 64-bit ELF file of this machine's byte order.
 */
static bool load_own_symtab(struct zct_sym_module *m)
{
	Elf *elf = dwfl_module_getelf(m->mod, &(GElf_Addr){0});
	GElf_Ehdr ehdr;
	if (m->bias != 0 || !elf || gelf_getclass(elf) != ELFCLASS64 || !gelf_getehdr(elf, &ehdr) ||
	    ehdr.e_type == ET_REL)
		return false;
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	while ((scn = elf_nextscn(elf, scn)) && gelf_getshdr(scn, &shdr) && shdr.sh_type != SHT_SYMTAB)
		;
	if (!scn || !gelf_getshdr(scn, &shdr) || shdr.sh_entsize != sizeof(Elf64_Sym))
		return false;
	Elf_Data *data = elf_getdata(scn, NULL);
	Elf_Data *names = elf_getdata(elf_getscn(elf, shdr.sh_link), NULL);
	Elf_Data *xndx = NULL;
	for (Elf_Scn *x = NULL; (x = elf_nextscn(elf, x));) {
		GElf_Shdr xs;
		if (gelf_getshdr(x, &xs) && xs.sh_type == SHT_SYMTAB_SHNDX &&
		    xs.sh_link == elf_ndxscn(scn))
			xndx = elf_getdata(x, NULL);
	}
	if (!data || !names || !data->d_buf || data->d_type != ELF_T_SYM)
		return false;
	size_t n = data->d_size / sizeof(Elf64_Sym);
	if (n <= 1 || !(m->syms = malloc(n * sizeof(*m->syms))))
		return true;
	const Elf64_Sym *syms = data->d_buf;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym = syms[i];
		GElf_Word shndx = sym.st_shndx;
		if (shndx == SHN_XINDEX && !(xndx && gelf_getsymshndx(data, xndx, (int)i, &sym, &shndx)))
			continue;
		const char *name = sym.st_name < names->d_size ? (const char *)names->d_buf + sym.st_name
							       : NULL;
		keep_symbol(m, name, &sym, shndx, sym.st_value);
	}
	return true;
}

/* The function symbols with a size, sorted: one pass over the symbol table, once. */
static void load_symbols(struct zct_sym_module *m)
{
	m->syms_loaded = true;
	if (!load_own_symtab(m)) {
		int n = dwfl_module_getsymtab(m->mod);
		if (n <= 1 || !(m->syms = malloc((size_t)n * sizeof(*m->syms))))
			return;
		for (int i = 1; i < n; i++) {
			GElf_Sym sym;
			GElf_Addr addr;
			GElf_Word shndx;
			const char *name = dwfl_module_getsym_info(m->mod, i, &sym, &addr, &shndx,
								   NULL, NULL);
			keep_symbol(m, name, &sym, shndx, addr);
		}
	}
	sort_by_start(m->syms, m->nsyms);
}

/* How far back from the last symbol starting at or below an address one looks for one that
 * covers it: aliases share a start; functions do not nest. */
#define WALK_BACK 64

/* The function symbol covering addr (the innermost; the preferred of aliases), or NULL. */
static const struct sym_range *symbol_at(struct zct_sym_module *m, uint64_t addr)
{
	if (!m->syms_loaded)
		load_symbols(m);
	size_t lo = 0, hi = m->nsyms;
	while (lo < hi) { /* lo: the first symbol starting above addr */
		size_t mid = lo + (hi - lo) / 2;
		if (m->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct sym_range *best = NULL;
	for (size_t i = lo; i-- > 0 && lo - i <= WALK_BACK;) {
		const struct sym_range *r = &m->syms[i];
		if (addr < r->end && (!best || better(r, best)))
			best = r;
	}
	return best;
}

/* A DIE's name: its linkage name demangled, else DW_AT_name (both through abstract origins). */
static char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!linkage)
		linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
	if (linkage)
		return readable(linkage);
	const char *name = dwarf_diename(die);
	return name ? strdup(name) : NULL;
}

static bool is_function(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

/* The function scope enclosing the first of scopes[0..n), or -1. */
static int first_function(Dwarf_Die *scopes, int n)
{
	for (int i = 0; i < n; i++)
		if (is_function(&scopes[i]))
			return i;
	return -1;
}

/* The name of the function the inlined code at die was inlined into (its own chain of DIEs:
 * dwarf_getscopes follows the inlined function's abstract origin instead). */
static char *inlined_into(Dwarf_Die *die)
{
	Dwarf_Die *chain = NULL;
	int n = dwarf_getscopes_die(die, &chain);
	int outer = n > 1 ? first_function(chain + 1, n - 1) : -1;
	char *name = outer >= 0 ? die_name(&chain[1 + outer]) : NULL;
	free(chain);
	return name;
}

/*
 * True when the unit's own ranges leave pc out. libdwfl hands out the unit whose range starts
 * last at or below an address, also when the address lies past its end (node's few units with
 * DWARF, for its other code), and dwarf_getscopes would then walk the whole unit to find
 * nothing: half a million instructions a site. A unit without ranges excludes nothing.
 */
static bool cu_excludes(Dwarf_Die *cu, Dwarf_Addr pc)
{
	if (!dwarf_hasattr(cu, DW_AT_low_pc) && !dwarf_hasattr(cu, DW_AT_ranges))
		return false;
	return dwarf_haspc(cu, pc) == 0;
}

/* The innermost function DWARF puts addr in, and the one it was inlined into. */
static void dwarf_function(struct zct_sym_module *m, Dwarf_Addr addr, struct zct_symbol *sym)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu = dwfl_module_addrdie(m->mod, addr, &bias);
	Dwarf_Die *scopes = NULL;
	int n = cu && !cu_excludes(cu, addr - bias) ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
	int i = first_function(scopes, n);
	if (i >= 0) {
		sym->function = die_name(&scopes[i]);
		if (dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine)
			sym->inlined_into = inlined_into(&scopes[i]);
	}
	free(scopes);
}

/* file, made absolute with the compilation directory when it is relative. */
static char *source_path(const char *file, const char *comp_dir)
{
	if (file[0] == '/' || !comp_dir || !*comp_dir)
		return strdup(file);
	size_t len = strlen(comp_dir) + strlen(file) + 2;
	char *path = malloc(len);
	if (path)
		snprintf(path, len, "%s/%s", comp_dir, file);
	return path;
}

static void dwarf_line(struct zct_sym_module *m, Dwarf_Addr addr, struct zct_symbol *sym)
{
	Dwfl_Line *line = dwfl_module_getsrc(m->mod, addr);
	int lineno = 0;
	const char *file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (!file || lineno <= 0)
		return;
	sym->file = source_path(file, dwfl_line_comp_dir(line));
	sym->line = sym->file ? lineno : 0;
}

static void name_offset(struct zct_sym_module *m, uint64_t offset, struct zct_symbol *sym)
{
	if (!m->mod)
		return;
	Dwarf_Addr addr = offset + m->bias;
	dwarf_function(m, addr, sym);
	dwarf_line(m, addr, sym);
	if (!sym->function) {
		const struct sym_range *r = symbol_at(m, addr);
		sym->function = r ? readable(r->name) : NULL;
	}
}

static size_t slot_of(const struct zct_sym_module *m, uint64_t offset)
{
	size_t i = (size_t)((offset * 0x9e3779b97f4a7c15ull) >> 32) & (m->cap - 1);
	while (m->names[i] && m->names[i]->offset != offset)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Room for one more name (the table at most half full); false when out of memory. */
static bool make_room(struct zct_sym_module *m)
{
	if (2 * (m->nnames + 1) <= m->cap)
		return true;
	size_t cap = m->cap ? 2 * m->cap : 64;
	struct named **old = m->names;
	size_t old_cap = m->cap;
	m->names = calloc(cap, sizeof(*m->names));
	if (!m->names) {
		m->names = old;
		return false;
	}
	m->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			m->names[slot_of(m, old[i]->offset)] = old[i];
	free(old);
	return true;
}

const struct zct_symbol *zct_symbolize(struct zct_symbolizer *s, const char *path,
				       uint64_t offset)
{
	static const struct zct_symbol unknown;
	struct zct_sym_module *m = module_for(s, path);
	if (!m || !make_room(m))
		return &unknown;
	size_t i = slot_of(m, offset);
	if (!m->names[i]) {
		struct named *n = calloc(1, sizeof(*n));
		if (!n)
			return &unknown;
		n->offset = offset;
		name_offset(m, offset, &n->sym);
		m->names[i] = n;
		m->nnames++;
	}
	return &m->names[i]->sym;
}
