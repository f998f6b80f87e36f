/*
 * A set of byte strings (addresses, serial numbers, engine ids), each
 * with a small payload: open addressing, at most half full, grown by
 * doubling; keys of up to KSET_INLINE octets are kept in the entry, longer
 * ones allocated.  No removal: a set lives for a cycle, or for as long as
 * what it counts is bounded by the configuration.
 */
#ifndef CALLHOME_KSET_H
#define CALLHOME_KSET_H

#include <stddef.h>
#include <stdint.h>

#define KSET_INLINE	24

struct kset_entry {
	uint8_t		*key;		/* NULL: a free slot */
	size_t		 klen;
	uint8_t		 ikey[KSET_INLINE];
	/* the payload, the user's: zero when added */
	uint32_t	 val;
	int64_t		 v[3];
	char		*text;		/* malloc'd, freed with the set */
	char		*aux;
};

struct kset {
	struct kset_entry	*e;
	size_t			 n, cap;	/* cap: 0 or a power of two */
};

/* the entry of key, or NULL; kset_put adds it if missing */
struct kset_entry	*kset_get(const struct kset *, const void *, size_t);
struct kset_entry	*kset_put(struct kset *, const void *, size_t);
void			 kset_free(struct kset *);

#endif /* CALLHOME_KSET_H */
